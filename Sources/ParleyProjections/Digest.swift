import Foundation

/// A stable 64-bit FNV-1a digest of a value's canonical JSON (sorted keys),
/// to compare a projection folded live with one rebuilt from the log.
public enum Digest {
    public static func of<Value: Encodable>(_ value: Value) throws -> String {
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
