import Foundation

/// Reads JSON values straight from bytes, one at a time, without building
/// a tree: for tools that need a few members of many stored events (replay)
/// and for ``EventJSONReader``. Foundation's decoder materializes every
/// member of every event, and was most of the cost of reading the log.
///
/// It accepts any valid JSON (members in any order, whitespace, escapes) and
/// throws on anything else; values it is not asked for are skipped.
public struct JSONScanner {
    public struct Malformed: Error, CustomStringConvertible {
        public var position: Int
        public var description: String { "malformed JSON at byte \(position)" }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    /// Where the next value starts (or whitespace before it).
    public private(set) var index: Int

    public init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// Calls `body` with each member's key of the object that starts here;
    /// `body` must read or skip the value.
    public mutating func forEachMember(_ body: (UnsafeBufferPointer<UInt8>, inout JSONScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") { index += 1; return }
        while true {
            let key = try rawString()
            try expect(UInt8(ascii: ":"))
            try body(key, &self)
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw Malformed(position: index - 1)
            }
        }
    }

    /// Consumes `null` when it comes next.
    public mutating func skipNull() throws -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// An unsigned integer, or nil for `null`.
    public mutating func optionalUInt() throws -> UInt64? {
        try skipNull() ? nil : try uint()
    }

    public mutating func uint() throws -> UInt64 {
        _ = try peek()
        var value: UInt64 = 0
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(bytes[index] - 0x30))
            guard !overflow1, !overflow2 else { throw Malformed(position: index) }
            value = sum
            index += 1
        }
        guard index > start else { throw Malformed(position: start) }
        return value
    }

    public mutating func bool() throws -> Bool {
        if try peek() == UInt8(ascii: "t") { try literal("true"); return true }
        try literal("false")
        return false
    }

    /// A string, unescaped.
    public mutating func string() throws -> String {
        try Self.text(try rawString(), at: index)
    }

    /// The text of a string's raw bytes (a member's key, as ``forEachMember(_:)`` gives it).
    public static func text(_ raw: UnsafeBufferPointer<UInt8>, at position: Int = 0) throws -> String {
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        return try unescape(raw, at: position)
    }

    public mutating func strings() throws -> [String] {
        var values: [String] = []
        try forEachElement { scanner in values.append(try scanner.string()) }
        return values
    }

    /// Calls `body` for each element of the array that starts here; `body`
    /// must read or skip the element.
    public mutating func forEachElement(_ body: (inout JSONScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") { index += 1; return }
        while true {
            try body(&self)
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return
            default: throw Malformed(position: index - 1)
            }
        }
    }

    /// The text of a number, as written.
    public mutating func number() throws -> UnsafeBufferPointer<UInt8> {
        _ = try peek()
        let start = index
        while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
        guard index > start else { throw Malformed(position: start) }
        return UnsafeBufferPointer(rebasing: bytes[start..<index])
    }

    /// Skips one value of any kind.
    public mutating func skip() throws {
        switch try peek() {
        case UInt8(ascii: "{"):
            try forEachMember { _, scanner in try scanner.skip() }
        case UInt8(ascii: "["):
            try forEachElement { scanner in try scanner.skip() }
        case UInt8(ascii: "\""):
            _ = try rawString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            _ = try number()
        }
    }

    // MARK: Tokens

    /// The bytes between a string's quotes, escapes left as they are.
    private mutating func rawString() throws -> UnsafeBufferPointer<UInt8> {
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                defer { index += 1 }
                return UnsafeBufferPointer(rebasing: bytes[start..<index])
            case UInt8(ascii: "\\"):
                index += 2
            default:
                index += 1
            }
        }
        throw Malformed(position: start)
    }

    private mutating func literal(_ text: StaticString) throws {
        _ = try peek()
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Malformed(position: index) }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] {
            throw Malformed(position: index)
        }
        index += count
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try next() == byte else { throw Malformed(position: index - 1) }
    }

    /// The next byte that is not whitespace, consumed.
    private mutating func next() throws -> UInt8 {
        let byte = try peek()
        index += 1
        return byte
    }

    /// The next byte that is not whitespace, left in place.
    public mutating func peek() throws -> UInt8 {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return bytes[index]
            }
        }
        throw Malformed(position: index)
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): true
        default: false
        }
    }

    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>, at position: Int) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4() throws -> UInt32 {
            guard index + 4 <= raw.count else { throw Malformed(position: position) }
            var value: UInt32 = 0
            for byte in raw[index..<index + 4] {
                guard let digit = Int(String(UnicodeScalar(byte)), radix: 16) else { throw Malformed(position: position) }
                value = value << 4 | UInt32(digit)
            }
            index += 4
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            guard index < raw.count else { throw Malformed(position: position) }
            let escaped = raw[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), index + 1 < raw.count, raw[index] == UInt8(ascii: "\\"),
                    raw[index + 1] == UInt8(ascii: "u")
                {
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw Malformed(position: position) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Malformed(position: position) }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw Malformed(position: position)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes spell `text`.
    public func equals(_ text: StaticString) -> Bool {
        guard count == text.utf8CodeUnitCount else { return false }
        guard let base = baseAddress else { return count == 0 }
        return memcmp(base, text.utf8Start, count) == 0
    }
}
