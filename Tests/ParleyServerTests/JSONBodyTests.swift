import Testing

@testable import ParleyServer

@Suite struct JSONBodyTests {
    private func body(_ text: String) throws -> JSONBody {
        try JSONBody.parse(Array(text.utf8))
    }

    @Test func readsTypedFieldsAndRefusesUnknownOnes() throws {
        var request = try body(#"{"name": "Ann", "id": "12", "n": 3, "flag": true, "tags": ["a"], "extra": 1}"#)
        #expect(try request.requiredString("name") == "Ann")
        #expect(try request.id("id") == 12)
        #expect(try request.int("n", in: 0...5) == 3)
        #expect(try request.bool("flag") == true)
        #expect(try request.strings("tags") == ["a"])
        let error = #expect(throws: APIError.self) { try request.finish() }
        #expect(error?.code == "unknown_field")
    }

    @Test func wrongTypesAndMissingFieldsAreBadRequests() throws {
        var request = try body(#"{"name": 5, "n": 9, "id": -1, "flag": "yes"}"#)
        #expect(throws: APIError.self) { try request.string("name") }
        #expect(throws: APIError.self) { try request.int("n", in: 0...5) }
        #expect(throws: APIError.self) { try request.id("id") }
        #expect(throws: APIError.self) { try request.bool("flag") }
        let missing = #expect(throws: APIError.self) { try request.requiredString("absent") }
        #expect(missing?.code == "missing_field")
        #expect(missing?.status == .badRequest)
    }

    @Test func anEmptyBodyIsAnEmptyObjectAndAnArrayIsRefused() throws {
        try body("  ").finish()
        #expect(throws: APIError.self) { try body("[1]") }
    }

    @Test func nullReadsAsAbsentButIsVisible() throws {
        var request = try body(#"{"assignee_id": null}"#)
        #expect(request.isNull("assignee_id"))
        #expect(try request.id("assignee_id") == nil)
        try request.finish()
    }
}
