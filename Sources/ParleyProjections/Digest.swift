import Foundation

/// A value with an encoding that does not depend on how it was built:
/// maps and sets in key order, so equal values encode alike.
public protocol CanonicallyEncodable {
    func encodeCanonically(to encoder: any Encoder) throws
}

/// A stable 64-bit FNV-1a digest of a value's canonical JSON (sorted keys),
/// to compare a projection folded live with one rebuilt from the log.
public enum Digest {
    private struct Canonical<Value: CanonicallyEncodable>: Encodable {
        var value: Value
        func encode(to encoder: any Encoder) throws { try value.encodeCanonically(to: encoder) }
    }

    public static func of<Value: CanonicallyEncodable>(_ value: Value) throws -> String {
        try of(encodable: Canonical(value: value))
    }

    private static func of<Value: Encodable>(encodable value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in try encoder.encode(value) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
