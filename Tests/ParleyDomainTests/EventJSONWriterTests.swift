import Foundation
import Testing

@testable import ParleyDomain

/// The byte-writing encoder says exactly what Foundation's `JSONEncoder`
/// with the snake_case strategy says, for every sample event.
@Suite struct EventJSONWriterTests {
    private struct Stored<Payload: Encodable>: Encodable {
        var actor: Actor
        var version: Int
        var payload: Payload
    }

    private static func foundationJSON<P: EventPayload>(_ payload: P, actor: Actor) throws -> Data {
        try EventCodec.encoder().encode(Stored(actor: actor, version: P.version, payload: payload))
    }

    @Test(arguments: SampleEvents.all)
    func sameJSONAsFoundation(_ event: DomainEvent) throws {
        let written = try JSONDecoder().decode(JSONValue.self, from: Data(try EventCodec.encode(event)))
        let reference = try JSONDecoder().decode(
            JSONValue.self, from: try Self.foundationJSON(event.body.payload, actor: event.actor))
        #expect(written == reference)
    }

    @Test func stringsAreEscapedAndObjectsSorted() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / emoji 🦊"
        let bytes = try EventJSONWriter.encode(["b": JSONValue.string(tricky), "a": .number(2), "c": .number(0.5)] as JSONObject)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"a":2,"b":"quote \" backslash \\ newline \n tab \t bell \u0007 slash / emoji 🦊","c":0.5}"#))
        let decoded = try JSONDecoder().decode(JSONObject.self, from: Data(bytes))
        #expect(decoded["b"] == .string(tricky))
    }

    @Test func negativeZeroKeepsItsSign() throws {
        let bytes = try EventJSONWriter.encode(["x": JSONValue.number(-0.0)] as JSONObject)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"x":-0}"#)
    }

    /// Every scalar type, maps keyed by strings, integers and structs, sets
    /// and optionals: what the ledger's checkpoint is made of.
    private struct Everything: Codable, Equatable {
        struct Key: Codable, Hashable {
            var account: UInt64
            var id: UInt64
        }
        var unsigned: [UInt64] = [0, 9, 10, 18_446_744_073_709_551_615]
        var signed: [Int] = [0, -1, -9_223_372_036_854_775_808, 9_223_372_036_854_775_807]
        var small: [UInt8] = [0, 255]
        var sized = [Int32.min, Int32.max]
        var unsigned32: UInt32 = 4_000_000_000
        var double = 0.1
        var whole = 3.0
        var flag = true
        var text = "quote \" slash / emoji 🦊 \n"
        var camelCaseName: String? = "kept as declared"
        var missing: UInt64? = nil
        var byName = ["userID": 1, "x_y": 2]
        var byNumber: [Int: String] = [-3: "minus", 7: "seven"]
        var byStruct = [Key(account: 1, id: 2): "one-two"]
        var free: JSONObject = ["b": .bool(false), "a": .array([.number(1.5), .null])]
    }

    @Test func declaredKeysReadBackAsFoundationWritesThem() throws {
        let value = Everything()
        let written = try EventJSONWriter.encode(value, keys: .asDeclared)
        #expect(try JSONDecoder().decode(Everything.self, from: Data(written)) == value)
        #expect(try EventJSONReader.decode(Everything.self, from: written) == value)
        let reference = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value))
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(written)) == reference)
    }

    @Test func chunksAddUpToTheWholeEncoding() throws {
        let value = (0..<20_000).map { index in Everything(unsigned: [UInt64(index)], text: "row \(index)") }
        let whole = try EventJSONWriter.encode(value, keys: .asDeclared)
        var chunks: [[UInt8]] = []
        try EventJSONWriter.encode(value, keys: .asDeclared) { chunks.append($0) }
        #expect(chunks.count > 2)
        #expect(chunks.dropLast().allSatisfy { $0.count >= 1 << 16 })
        #expect(chunks.flatMap { $0 } == whole)
    }
}
