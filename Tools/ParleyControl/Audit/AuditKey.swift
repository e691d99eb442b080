import ParleyServer

/// The secret an export's manifest is signed with: the bytes of a key file,
/// used as an HMAC-SHA256 key.
public struct AuditKey: Sendable {
    /// HMAC-SHA256 is as strong as its key up to the hash's own 32 bytes.
    public static let minimumLength = 32

    let bytes: [UInt8]

    /// Reads the key file, refusing one too short to be a real key.
    public init(file path: String) throws {
        let bytes = try InputFile.contents(of: path)
        guard bytes.count >= Self.minimumLength else {
            throw ControlError(
                "key file \(path) holds \(bytes.count) bytes; an audit key needs at least \(Self.minimumLength) (try `head -c 32 /dev/urandom > \(path)`)")
        }
        self.bytes = bytes
    }

    /// The signature of `message` as hex ASCII.
    func sign(_ message: [UInt8]) -> [UInt8] {
        SHA256Hex.hex(Crypto.hmacSHA256(key: bytes, message: message))
    }

    /// Names the key without revealing it, so a verifier can tell a wrong key
    /// from a tampered manifest: the first 8 bytes of its HMAC of a fixed label.
    var id: String {
        String(decoding: SHA256Hex.hex(Crypto.hmacSHA256(key: bytes, message: Array("parley.audit-export key id".utf8)).prefix(8)), as: UTF8.self)
    }
}
