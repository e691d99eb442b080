import NIOCore

/// Reads HTTP/1.1 responses off a connection's bytes, one after another,
/// framed as ``HTTPHead`` reads them. Informational (1xx) answers are skipped.
struct ResponseReader {
    private var messages = MessageReader { head throws(HTTPHead.Malformed) in
        // Answers that never carry a body have none, whatever length they name.
        if let status = ResponseReader.status(of: head), status == 204 || status == 304 || (100..<200).contains(status) {
            return 0
        }
        guard let length = head.contentLength else { throw HTTPHead.Malformed(reason: "no Content-Length") }
        return length
    }
    private var keepBody = false

    /// Sets whether the next response's body is kept or dropped.
    mutating func expect(keepingBody: Bool) {
        keepBody = keepingBody
    }

    /// Takes `bytes` as they came off the connection; returns the response
    /// once all of it is in hand.
    mutating func read(_ bytes: inout ByteBuffer) throws(HTTPClientError) -> HTTPResult? {
        while true {
            let message: (head: HTTPHead, body: ByteBuffer)?
            do {
                // After the first pass `bytes` is empty: what is left waits in the reader.
                message = try messages.read(&bytes)
            } catch {
                throw .malformedResponse(error.reason)
            }
            guard let (head, body) = message else { return nil }
            guard let status = Self.status(of: head) else { throw .malformedResponse("no HTTP/1.x status line") }
            if (100..<200).contains(status) { continue }
            return HTTPResult(status: status, body: keepBody ? Array(body.readableBytesView) : [])
        }
    }

    /// The status in a response's start line.
    static func status(of head: HTTPHead) -> Int? {
        let line = head.startLine
        guard line.starts(with: "HTTP/1.".utf8), line.count >= 12, line[8] == UInt8(ascii: " ") else { return nil }
        return Int(String(decoding: line[9..<12], as: UTF8.self))
    }
}
