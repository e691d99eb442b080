import COpenSSL

/// SHA-256 through OpenSSL, written as 64 lowercase hex digits: the form
/// every hash in an audit export takes.
enum SHA256Hex {
    static let length = 64
    /// The hash that stands before the first record.
    static let zero = [UInt8](repeating: UInt8(ascii: "0"), count: length)

    /// The hash of `bytes` as hex ASCII.
    static func of(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(SHA256_DIGEST_LENGTH)) { digest in
            _ = SHA256(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, digest.baseAddress)
            return hex(UnsafeBufferPointer(digest))
        }
    }

    static func of(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { of($0) }
    }

    static func hex(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let digits: StaticString = "0123456789abcdef"
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        let table = digits.utf8Start
        for byte in bytes {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0f)])
        }
        return out
    }

    /// Whether `text` is 64 lowercase hex digits.
    static func isHash(_ text: some Collection<UInt8>) -> Bool {
        text.count == length
            && text.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
