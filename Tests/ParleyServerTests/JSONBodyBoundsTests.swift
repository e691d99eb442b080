import Testing

@testable import ParleyServer

/// Numbers at the edges of what `JSONBody` converts: a conversion that
/// traps would take the whole server down, not just answer one request.
@Suite struct JSONBodyBoundsTests {
    private func body(_ text: String) throws -> JSONBody {
        try JSONBody.parse(Array(text.utf8))
    }

    /// `Double(Int.max)` rounds up to 2^63, so a range ending at `Int.max`
    /// once let 2^63 through to `Int(_:)`, which traps.
    @Test func integersPastIntMaxAreRefusedNotTrapped() throws {
        for number in ["9223372036854775807", "9223372036854775808", "1e19"] {
            var request = try body(#"{"n": \#(number)}"#)
            #expect(throws: APIError.self) { try request.int("n", in: Int.min...Int.max) }
        }
        var largest = try body(#"{"n": 9223372036854774784}"#)
        #expect(try largest.int("n", in: 0...Int.max) == 9_223_372_036_854_774_784)
    }

    @Test func integersMustBeWholeAndInRange() throws {
        var request = try body(#"{"a": 2.5, "b": -0.0, "c": 4, "d": 1e2}"#)
        #expect(throws: APIError.self) { try request.int("a", in: 0...5) }
        #expect(try request.int("b", in: 0...5) == 0)
        #expect(throws: APIError.self) { try request.int("c", in: 0...3) }
        #expect(try request.int("d", in: 0...100) == 100)
    }

    @Test func idsStopBelowTheLargestExactDouble() throws {
        var request = try body(#"{"a": 8999999999999999, "b": 9000000000000000, "c": "999999999999999", "d": "1000000000000000"}"#)
        #expect(try request.id("a") == 8_999_999_999_999_999)
        #expect(throws: APIError.self) { try request.id("b") }
        #expect(try request.id("c") == 999_999_999_999_999)
        #expect(throws: APIError.self) { try request.id("d") }
    }
}
