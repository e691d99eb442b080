import NIOCore

/// What the load generator's HTTP/1.1 readers need of a head: the start
/// line, the body's length and whether the connection closes after it.
///
/// Bodies must be framed by `Content-Length` (or have none): every message
/// the load generator reads, Parley's responses and its webhook deliveries,
/// is one buffer. A chunked body is refused, and so are a head longer than
/// 64 KiB and two different lengths.
struct HTTPHead {
    static let maxBytes = 64 * 1024

    struct Malformed: Error {
        var reason: String
    }

    /// The request or status line, without its CRLF.
    var startLine: [UInt8]
    var contentLength: Int?
    /// `Connection: close` was asked for.
    var closes: Bool

    /// Consumes a complete head (through its blank line) from `buffer`; nil
    /// while the head is still incomplete.
    static func read(from buffer: inout ByteBuffer) throws(Malformed) -> HTTPHead? {
        let found = buffer.withUnsafeReadableBytes { bytes -> Result<(head: HTTPHead, size: Int)?, Malformed> in
            guard let end = end(in: bytes) else {
                return bytes.count > maxBytes ? .failure(Malformed(reason: "a head over \(maxBytes) bytes")) : .success(nil)
            }
            guard end <= maxBytes else { return .failure(Malformed(reason: "a head over \(maxBytes) bytes")) }
            return parse(UnsafeRawBufferPointer(rebasing: bytes[..<end])).map { ($0, end + 4) }
        }
        guard let found = try found.get() else { return nil }
        buffer.moveReaderIndex(forwardBy: found.size)
        return found.head
    }

    /// Where the blank line ending the head starts.
    private static func end(in bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index + 3] != 0x0a {
                // No CRLFCRLF can hold this byte unless it is a CR.
                index += bytes[index + 3] == 0x0d ? 1 : 4
                continue
            }
            if bytes[index] == 0x0d && bytes[index + 1] == 0x0a && bytes[index + 2] == 0x0d { return index }
            index += 1
        }
        return nil
    }

    private static func parse(_ head: UnsafeRawBufferPointer) -> Result<HTTPHead, Malformed> {
        let lines = head.split(separator: 0x0a, omittingEmptySubsequences: false).map { line in
            line.last == 0x0d ? line.dropLast() : line
        }
        var parsed = HTTPHead(startLine: Array(lines[0]), contentLength: nil, closes: false)
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .failure(Malformed(reason: "a header line without a colon"))
            }
            let name = line[..<colon]
            let framing = named(name, "content-length") || named(name, "transfer-encoding")
            guard framing || named(name, "connection") else { continue }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces.lowercased()
            if named(name, "connection") {
                parsed.closes = parsed.closes || value.split(separator: ",").contains { $0.trimmingSpaces == "close" }
            } else if named(name, "transfer-encoding") {
                guard value == "identity" else {
                    return .failure(Malformed(reason: "a \(value) body; only Content-Length framing is read"))
                }
            } else {
                guard !value.isEmpty, value.utf8.allSatisfy({ (48...57).contains($0) }), let length = Int(value),
                    parsed.contentLength == nil || parsed.contentLength == length
                else { return .failure(Malformed(reason: "Content-Length \(value)")) }
                parsed.contentLength = length
            }
        }
        return .success(parsed)
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

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
