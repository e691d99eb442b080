import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import ParleyServer

/// Search text is read as an HTML form encodes it: what the SDK sends for
/// "Ada Lovelace" (`q=Ada+Lovelace`) and for "+4930" (`q=%2B4930`).
@Suite struct FormQueryTests {
    private func request(_ query: String) -> Request {
        Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/search?\(query)"),
            body: RequestBody(buffer: ByteBuffer()))
    }

    @Test func plusIsASpaceAndPercentEscapesAreDecoded() throws {
        #expect(try request("q=Ada+Lovelace").formQueryValue("q", maxLength: 50) == "Ada Lovelace")
        #expect(try request("page=2&q=%2B4930").formQueryValue("q", maxLength: 50) == "+4930")
        #expect(try request("q=caf%C3%A9&q=second").formQueryValue("q", maxLength: 50) == "café")
        #expect(try request("q").formQueryValue("q", maxLength: 50) == "")
        #expect(try request("query=x").formQueryValue("q", maxLength: 50) == nil)
    }

    @Test func overlongAndMalformedValuesAreRefused() {
        let long = #expect(throws: APIError.self) { try request("q=abcdef").formQueryValue("q", maxLength: 5) }
        #expect(long?.status == .badRequest)
        let malformed = #expect(throws: APIError.self) { try request("q=%FF%FE").formQueryValue("q", maxLength: 50) }
        #expect(malformed?.code == "invalid_argument")
    }
}
