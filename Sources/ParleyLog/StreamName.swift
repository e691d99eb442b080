/// The rules for stream names.
///
/// A stream name is 1 to 200 bytes of ASCII letters, digits and `:_-.@#`, such
/// as `conversation:1:42`. The index key is the name, a `0x00` byte and the
/// sequence, so a name must never contain `0x00`; the narrower alphabet also
/// keeps names safe to print and to use as Centrifugo channel names.
public enum StreamName {
    public static let maxLength = 200

    public static func isValid(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard !utf8.isEmpty, utf8.count <= maxLength else { return false }
        return utf8.allSatisfy(isAllowed)
    }

    /// Whether `prefix` could start a valid name (empty is allowed: it lists every stream).
    public static func isValidPrefix(_ prefix: String) -> Bool {
        prefix.utf8.count <= maxLength && prefix.utf8.allSatisfy(isAllowed)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: ":"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "@"), UInt8(ascii: "#"):
            return true
        default:
            return false
        }
    }
}
