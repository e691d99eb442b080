import ParleyDomain
import Testing

@testable import ParleyServer

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5e1, true, false, null], "b": "x\u00e9\n\ud83d\ude00", "c": {}} "#)
        #expect(
            value
                == .object([
                    "a": .array([.number(1), .number(-25), .bool(true), .bool(false), .null]),
                    "b": .string("xé\n😀"), "c": .object([:]),
                ]))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "tru", "\"abc", "\"\\x\"", "\"\u{01}\"",
        "{\"a\":1}{", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "1e999", "nul",
    ])
    func refusesMalformedInput(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try parse(text) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: JSONParser.Failure.self) { try parse(deep) }
        let shallow = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        #expect((try? parse(shallow)) != nil)
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xff, 0xfe, 0x22]) }
    }

    @Test func outputEscapesWhatJSONRequires() {
        let out = JSONOut.object([("k", .string("a\"b\\c\n\u{01}")), ("n", .int(-3)), ("z", .null)])
        #expect(String(decoding: out.bytes, as: UTF8.self) == #"{"k":"a\"b\\c\n\u0001","n":-3,"z":null}"#)
    }

    @Test(arguments: [
        ("", #""""#), ("plain text", #""plain text""#), ("\"", #""\"""#), ("\t\r\u{1f}", #""\t\r\u001f""#),
        ("ends with \\", #""ends with \\""#), ("\nstarts", #""\nstarts""#), ("héllo 👋 \"x\"", #""héllo 👋 \"x\"""#),
    ])
    func stringsAreEscapedAroundUnescapedRuns(value: String, expected: String) {
        #expect(String(decoding: JSONOut.string(value).bytes, as: UTF8.self) == expected)
        let parsedBack = try? JSONParser.parse(JSONOut.string(value).bytes)
        #expect(parsedBack == .string(value))
    }
}
