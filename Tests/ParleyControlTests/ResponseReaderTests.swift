import NIOCore
import Testing

@testable import ParleyLoadKit

/// The load generator's response reader, fed bytes as a socket hands them over.
@Suite struct ResponseReaderTests {
    static let response = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\ncontent-LENGTH: 11\r\n\r\n{\"id\":1234}"

    private func feed(_ reader: inout ResponseReader, _ text: String) throws -> HTTPResult? {
        var bytes = ByteBuffer(string: text)
        return try reader.read(&bytes)
    }

    @Test func readsAWholeResponseAndKeepsItsBody() throws {
        var reader = ResponseReader()
        reader.expect(keepingBody: true)
        let result = try feed(&reader, Self.response)
        #expect(result?.status == 201)
        #expect(result.map { String(decoding: $0.body, as: UTF8.self) } == "{\"id\":1234}")
    }

    @Test(arguments: [1, 2, 3, 7, 40, 70])
    func readsAResponseArrivingInPieces(pieceSize: Int) throws {
        var reader = ResponseReader()
        reader.expect(keepingBody: true)
        let bytes = Array(Self.response.utf8)
        var results: [HTTPResult] = []
        for start in stride(from: 0, to: bytes.count, by: pieceSize) {
            var piece = ByteBuffer(bytes: bytes[start..<min(start + pieceSize, bytes.count)])
            if let result = try reader.read(&piece) { results.append(result) }
        }
        #expect(results.count == 1)
        #expect(results.first?.status == 201)
        #expect(results.first.map { String(decoding: $0.body, as: UTF8.self) } == "{\"id\":1234}")
    }

    @Test func dropsTheBodyWhenAskedAndReadsTheNextResponse() throws {
        var reader = ResponseReader()
        reader.expect(keepingBody: false)
        let first = try feed(&reader, Self.response)
        #expect(first?.status == 201)
        #expect(first?.body == [])
        reader.expect(keepingBody: true)
        let second = try feed(&reader, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}")
        #expect(second?.status == 404)
        #expect(second?.body == Array("{}".utf8))
    }

    @Test func readsNoBodyForAnAnswerThatNeverHasOne() throws {
        var reader = ResponseReader()
        reader.expect(keepingBody: true)
        let result = try feed(&reader, "HTTP/1.1 304 Not Modified\r\nContent-Length: 120\r\n\r\n")
        #expect(result?.status == 304)
        #expect(result?.body == [])
    }

    @Test func skipsInformationalAnswersAndReadsBodilessOnes() throws {
        var reader = ResponseReader()
        reader.expect(keepingBody: true)
        let result = try feed(&reader, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-Request-Id: 7\r\n\r\n")
        #expect(result?.status == 204)
        #expect(result?.body == [])
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n",
        "SMTP 220 ready\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    ])
    func refusesWhatItCannotFrame(text: String) {
        var reader = ResponseReader()
        reader.expect(keepingBody: true)
        #expect(throws: HTTPClientError.self) { try feed(&reader, text) }
    }

    @Test func refusesAnEndlessHead() throws {
        var reader = ResponseReader()
        reader.expect(keepingBody: true)
        let start = try feed(&reader, "HTTP/1.1 200 OK\r\n")
        #expect(start == nil)
        let line = "X-Padding: " + String(repeating: "a", count: 1000) + "\r\n"
        #expect(throws: HTTPClientError.self) {
            for _ in 0..<70 { _ = try feed(&reader, line) }
        }
    }
}
