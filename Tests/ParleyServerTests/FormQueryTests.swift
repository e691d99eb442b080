import Testing

@testable import ParleyServer

/// Search text is read as an HTML form encodes it: what the SDK sends for
/// "Ada Lovelace" (`q=Ada+Lovelace`) and for "+4930" (`q=%2B4930`).
@Suite struct FormQueryTests {
    @Test func plusIsASpaceAndPercentEscapesAreDecoded() throws {
        #expect(try QueryParameters(query: "q=Ada+Lovelace").string("q", maxLength: 50) == "Ada Lovelace")
        #expect(try QueryParameters(query: "page=2&q=%2B4930").string("q", maxLength: 50) == "+4930")
        #expect(try QueryParameters(query: "q=caf%C3%A9&q=second").string("q", maxLength: 50) == "café")
        #expect(try QueryParameters(query: "q").string("q", maxLength: 50) == "")
        #expect(try QueryParameters(query: "query=x").string("q", maxLength: 50) == nil)
    }

    @Test func repeatedParametersKeepEveryValue() throws {
        #expect(try QueryParameters(query: "labels[]=a+b&x=1&labels[]=c").strings("labels[]") == ["a b", "c"])
        #expect(try QueryParameters(query: "labels%5B%5D=a").strings("labels[]") == ["a"])
    }

    @Test func overlongAndMalformedValuesAreRefused() {
        let long = #expect(throws: APIError.self) { try QueryParameters(query: "q=abcdef").string("q", maxLength: 5) }
        #expect(long?.status == .badRequest)
        let malformed = #expect(throws: APIError.self) { try QueryParameters(query: "q=%FF%FE").string("q", maxLength: 50) }
        #expect(malformed?.code == "invalid_argument")
    }
}
