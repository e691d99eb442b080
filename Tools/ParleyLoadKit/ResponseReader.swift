import NIOCore

/// Reads HTTP/1.1 responses off a connection's bytes, one after another.
///
/// Bodies must be framed by `Content-Length`, as every Parley response the
/// load generator reads is (each is one buffer); a chunked body is refused,
/// and so is a head that is not HTTP/1.x or longer than 64 KiB.
/// Informational (1xx) answers are skipped.
struct ResponseReader {
    static let maxHeadBytes = 64 * 1024

    /// Bytes of a response not yet complete, when it arrived in pieces.
    private var pending = ByteBuffer()
    private var keepBody = false
    /// The status and body length of the response whose head has been read.
    private var head: (status: Int, length: Int)?

    /// Sets whether the next response's body is kept or dropped.
    mutating func expect(keepingBody: Bool) {
        keepBody = keepingBody
    }

    /// Takes `bytes` as they came off the connection; returns the response
    /// once all of it is in hand.
    mutating func read(_ bytes: inout ByteBuffer) throws(HTTPClientError) -> HTTPResult? {
        guard pending.readableBytes == 0 else {
            var gathered = pending
            pending = ByteBuffer()
            gathered.writeBuffer(&bytes)
            let result = try take(from: &gathered)
            if gathered.readableBytes > 0 { pending = gathered }
            return result
        }
        // The usual case: a whole response in one read, parsed where it lies.
        let result = try take(from: &bytes)
        if bytes.readableBytes > 0 { pending.writeBuffer(&bytes) }
        return result
    }

    private mutating func take(from buffer: inout ByteBuffer) throws(HTTPClientError) -> HTTPResult? {
        while head == nil {
            guard let parsed = try Self.readHead(from: &buffer) else { return nil }
            if !(100..<200).contains(parsed.status) { head = parsed }
        }
        guard let (status, length) = head, buffer.readableBytes >= length else { return nil }
        head = nil
        var body: [UInt8] = []
        if keepBody {
            body = buffer.readBytes(length: length) ?? []
        } else {
            buffer.moveReaderIndex(forwardBy: length)
        }
        return HTTPResult(status: status, body: body)
    }

    /// Consumes a complete head from `buffer` and returns its status and
    /// body length; nil while the head is still incomplete.
    private static func readHead(from buffer: inout ByteBuffer) throws(HTTPClientError) -> (status: Int, length: Int)? {
        let found = buffer.withUnsafeReadableBytes { bytes -> Result<(status: Int, length: Int, size: Int)?, HTTPClientError> in
            guard let end = headEnd(in: bytes) else {
                return bytes.count > maxHeadBytes ? .failure(.malformedResponse("a head over \(maxHeadBytes) bytes")) : .success(nil)
            }
            return parseHead(UnsafeRawBufferPointer(rebasing: bytes[..<end])).map { ($0.status, $0.length, end + 4) }
        }
        guard let head = try found.get() else { return nil }
        buffer.moveReaderIndex(forwardBy: head.size)
        return (head.status, head.length)
    }

    /// Where the blank line ending the head starts.
    private static func headEnd(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index + 3] != 0x0a {
                index += bytes[index + 3] == 0x0d ? 1 : 4
                continue
            }
            if bytes[index] == 0x0d && bytes[index + 1] == 0x0a && bytes[index + 2] == 0x0d { return index }
            index += 1
        }
        return nil
    }

    /// The status line and the framing headers of a head (without its blank line).
    private static func parseHead(_ head: UnsafeRawBufferPointer) -> Result<(status: Int, length: Int), HTTPClientError> {
        let lines = head.split(separator: 0x0a, omittingEmptySubsequences: false).map { line in
            line.last == 0x0d ? line.dropLast() : line
        }
        guard let statusLine = lines.first, statusLine.starts(with: "HTTP/1.".utf8), statusLine.count >= 12,
            let status = Int(String(decoding: statusLine.dropFirst(9).prefix(3), as: UTF8.self))
        else {
            return .failure(.malformedResponse("no HTTP/1.x status line"))
        }
        var length: Int?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .failure(.malformedResponse("a header line without a colon"))
            }
            let name = line[..<colon]
            guard named(name, "content-length") || named(name, "transfer-encoding") else { continue }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            if named(name, "transfer-encoding") {
                guard value.lowercased() == "identity" else {
                    return .failure(.malformedResponse("a \(value) body; only Content-Length framing is read"))
                }
                continue
            }
            guard let parsed = Int(value), parsed >= 0 else { return .failure(.malformedResponse("Content-Length \(value)")) }
            length = parsed
        }
        // Answers that never carry a body need no length.
        if length == nil && (status == 204 || status == 304 || (100..<200).contains(status)) { length = 0 }
        guard let length else { return .failure(.malformedResponse("no Content-Length")) }
        return .success((status, length))
    }
}

/// Whether a header's name is `lowercased`, in any case.
private func named(_ name: Slice<UnsafeRawBufferPointer>, _ lowercased: StaticString) -> Bool {
    guard name.count == lowercased.utf8CodeUnitCount else { return false }
    let expected = UnsafeBufferPointer(start: lowercased.utf8Start, count: lowercased.utf8CodeUnitCount)
    for (byte, wanted) in zip(name, expected) {
        let folded: UInt8 = (0x41...0x5a).contains(byte) ? byte | 0x20 : byte
        if folded != wanted { return false }
    }
    return true
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
