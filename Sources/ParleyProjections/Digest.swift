import Foundation
import ParleyDomain

/// A value with an encoding that does not depend on how it was built:
/// maps and sets in key order, so equal values encode alike.
public protocol CanonicallyEncodable {
    func encodeCanonically(to encoder: any Encoder) throws
}

/// A stable 64-bit FNV-1a digest of a value's canonical JSON (maps in key
/// order, properties as declared), to compare a projection folded live with
/// one rebuilt from the log. Written by ``EventJSONWriter``: `JSONEncoder`
/// took seconds per view of a million-event log.
public enum Digest {
    private struct Canonical<Value: CanonicallyEncodable>: Encodable {
        var value: Value
        func encode(to encoder: any Encoder) throws { try value.encodeCanonically(to: encoder) }
    }

    public static func of<Value: CanonicallyEncodable>(_ value: Value) throws -> String {
        try of(encodable: Canonical(value: value))
    }

    private static func of<Value: Encodable>(encodable value: Value) throws -> String {
        let hash = FNV1a()
        try EventJSONWriter.encode(value, keys: .asDeclared, chunks: hash.add)
        return String(hash.value, radix: 16)
    }
}

/// FNV-1a over bytes handed in chunks.
private final class FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    func add(_ bytes: [UInt8]) {
        var hash = value
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        value = hash
    }
}
