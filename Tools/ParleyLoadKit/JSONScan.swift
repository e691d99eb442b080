/// Just enough JSON to pick a few members out of Centrifugo's replies and
/// pushes without decoding them. A value is skipped by walking its strings
/// and brackets, so finding a publication's `offset` costs one pass over its
/// bytes and no allocation: with thousands of connections on two cores, the
/// client must stay cheap next to the server it measures.
///
/// Ranges are byte offsets into `bytes`; a string's range includes its quotes.
/// Keys are compared byte for byte, without unescaping.
struct JSONScan {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// `range` without leading and trailing whitespace.
    func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, Self.isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, Self.isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Where the value starting at `start` ends (exclusive), or nil if it runs past `limit`.
    func valueEnd(from start: Int, limit: Int) -> Int? {
        guard start < limit else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(from: start, limit: limit)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < limit {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let end = stringEnd(from: index, limit: limit) else { return nil }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default:
                    break
                }
                index += 1
            }
            return nil
        default:
            var index = start
            while index < limit, !Self.endsScalar(bytes[index]) { index += 1 }
            return index > start ? index : nil
        }
    }

    /// Calls `body` with each member's key (inside the quotes) and value
    /// range until it returns false. Returns false if `object` is not a
    /// well-formed object.
    @discardableResult
    func forEachMember(of object: Range<Int>, _ body: (_ key: Range<Int>, _ value: Range<Int>) -> Bool) -> Bool {
        let object = trimmed(object)
        let limit = object.upperBound
        guard object.count >= 2, bytes[object.lowerBound] == UInt8(ascii: "{"), bytes[limit - 1] == UInt8(ascii: "}") else {
            return false
        }
        var index = skipSpace(from: object.lowerBound + 1, limit: limit)
        if index < limit, bytes[index] == UInt8(ascii: "}") { return true }
        while index < limit {
            guard bytes[index] == UInt8(ascii: "\""), let keyEnd = stringEnd(from: index, limit: limit) else { return false }
            let key = index + 1..<keyEnd - 1
            index = skipSpace(from: keyEnd, limit: limit)
            guard index < limit, bytes[index] == UInt8(ascii: ":") else { return false }
            let valueStart = skipSpace(from: index + 1, limit: limit)
            guard let valueEnd = valueEnd(from: valueStart, limit: limit - 1) else { return false }
            guard body(key, valueStart..<valueEnd) else { return true }
            index = skipSpace(from: valueEnd, limit: limit)
            guard index < limit else { return false }
            if bytes[index] == UInt8(ascii: "}") { return index == limit - 1 }
            guard bytes[index] == UInt8(ascii: ",") else { return false }
            index = skipSpace(from: index + 1, limit: limit)
        }
        return false
    }

    /// The value of member `key` of `object`, if there is one.
    func member(_ key: StaticString, of object: Range<Int>) -> Range<Int>? {
        var found: Range<Int>?
        forEachMember(of: object) { name, value in
            if self.equals(name, key) { found = value }
            return found == nil
        }
        return found
    }

    /// Calls `body` with each element of `array`; false if it is not a well-formed array.
    @discardableResult
    func forEachElement(of array: Range<Int>, _ body: (Range<Int>) -> Void) -> Bool {
        let array = trimmed(array)
        let limit = array.upperBound
        guard array.count >= 2, bytes[array.lowerBound] == UInt8(ascii: "["), bytes[limit - 1] == UInt8(ascii: "]") else {
            return false
        }
        var index = skipSpace(from: array.lowerBound + 1, limit: limit)
        if index < limit, bytes[index] == UInt8(ascii: "]") { return true }
        while index < limit {
            guard let end = valueEnd(from: index, limit: limit - 1) else { return false }
            body(index..<end)
            index = skipSpace(from: end, limit: limit)
            guard index < limit else { return false }
            if bytes[index] == UInt8(ascii: "]") { return index == limit - 1 }
            guard bytes[index] == UInt8(ascii: ",") else { return false }
            index = skipSpace(from: index + 1, limit: limit)
        }
        return false
    }

    /// A non-negative integer without sign, fraction or exponent.
    func unsigned(_ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty else { return nil }
        var value: UInt64 = 0
        for index in range {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// An integer, possibly negative.
    func integer(_ range: Range<Int>) -> Int? {
        guard !range.isEmpty else { return nil }
        let negative = bytes[range.lowerBound] == UInt8(ascii: "-")
        guard let magnitude = unsigned(negative ? range.dropFirst() : range), magnitude <= UInt64(Int.max) else { return nil }
        return negative ? -Int(magnitude) : Int(magnitude)
    }

    func bool(_ range: Range<Int>) -> Bool? {
        if equals(range, "true") { return true }
        if equals(range, "false") { return false }
        return nil
    }

    /// A string's characters as sent (escapes left as they are).
    func rawString(_ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\""), bytes[range.upperBound - 1] == UInt8(ascii: "\"") else {
            return nil
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range.lowerBound + 1..<range.upperBound - 1]), as: UTF8.self)
    }

    /// Whether the bytes of `range` are exactly `text`.
    func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        for (offset, index) in range.enumerated() where bytes[index] != expected[offset] { return false }
        return true
    }

    // MARK: Bytes

    private func stringEnd(from start: Int, limit: Int) -> Int? {
        var index = start + 1
        while index < limit {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return nil
    }

    private func skipSpace(from start: Int, limit: Int) -> Int {
        var index = start
        while index < limit, Self.isSpace(bytes[index]) { index += 1 }
        return index
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || isSpace(byte)
    }
}
