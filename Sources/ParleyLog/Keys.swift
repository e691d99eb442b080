/// Key layouts. Integers are fixed-width big-endian so byte order is numeric
/// order and a range scan is a prefix scan.
enum Keys {
    static func offset(_ offset: UInt64) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(8)
        bytes.appendBigEndian(offset)
        return bytes
    }

    /// `streams` family: name ‖ 0x00 ‖ seq.
    static func streamEntry(_ stream: String, seq: UInt64) -> [UInt8] {
        var bytes = streamPrefix(stream)
        bytes.appendBigEndian(seq)
        return bytes
    }

    /// Every key of one stream in the `streams` family starts with this.
    static func streamPrefix(_ stream: String) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(stream.utf8.count + 9)
        bytes.append(contentsOf: stream.utf8)
        bytes.append(0)
        return bytes
    }

    /// `idempotency` family: account ‖ key.
    static func idempotency(account: UInt64, key: String) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + key.utf8.count)
        bytes.appendBigEndian(account)
        bytes.append(contentsOf: key.utf8)
        return bytes
    }

    /// `idempotency_expiry` family: created-at ms ‖ account ‖ key, so pruning is a range scan.
    static func idempotencyExpiry(createdAt: UInt64, account: UInt64, key: String) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(16 + key.utf8.count)
        bytes.appendBigEndian(createdAt)
        bytes.appendBigEndian(account)
        bytes.append(contentsOf: key.utf8)
        return bytes
    }

    /// The smallest key greater than every key starting with `prefix`, or nil if none exists.
    static func successor(of prefix: [UInt8]) -> [UInt8]? {
        var bytes = prefix
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return nil
    }
}

/// Names of the log's own column families and metadata keys.
enum Family {
    static let log = "log"
    static let streams = "streams"
    static let idempotency = "idempotency"
    static let idempotencyExpiry = "idempotency_expiry"
    static let ephemeral = "ephemeral"
    static let meta = "meta"
    static let all = [log, streams, idempotency, idempotencyExpiry, ephemeral, meta]
}

enum MetaKey {
    static let format = Array("format".utf8)
    static let epoch = Array("epoch".utf8)
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt64) {
        var big = value.bigEndian
        Swift.withUnsafeBytes(of: &big) { append(contentsOf: $0) }
    }

    mutating func appendBigEndian(_ value: UInt32) {
        var big = value.bigEndian
        Swift.withUnsafeBytes(of: &big) { append(contentsOf: $0) }
    }

    mutating func appendBigEndian(_ value: UInt16) {
        var big = value.bigEndian
        Swift.withUnsafeBytes(of: &big) { append(contentsOf: $0) }
    }
}

extension UInt64 {
    /// Reads a big-endian value from exactly 8 bytes, or nil.
    init?<Bytes: Collection>(bigEndianBytes bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 8 else { return nil }
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        self = value
    }
}
