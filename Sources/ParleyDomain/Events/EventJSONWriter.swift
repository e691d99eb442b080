import Foundation
import Synchronization

/// Writes an event's stored JSON straight into bytes.
///
/// Foundation's `JSONEncoder` builds a tree of values and calls the key
/// strategy closure for every key of every event; on the writer thread that
/// was most of a command's cost. This encoder writes as it goes, converts
/// each property name to snake_case once per process, and writes JSON objects
/// of free-form values (custom attributes) with their keys as given, sorted.
/// Its output decodes with ``EventCodec/decoder()``.
///
/// With ``KeyStyle/asDeclared`` it writes property names as declared, as a
/// `JSONEncoder` without a key strategy does: the ledger's checkpoint and the
/// projections' digests, whole views of hundreds of megabytes, are written so.
public struct EventJSONWriter {
    /// How property names are written.
    public enum KeyStyle: Sendable {
        /// snake_case, as stored events have them.
        case snakeCase
        /// As declared in Swift; ``EventJSONReader`` reads them back as they are.
        case asDeclared
    }

    static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        try encode(value, keys: .snakeCase)
    }

    /// `value` as JSON bytes, its property names written in `keys` style.
    public static func encode<Value: Encodable>(_ value: Value, keys: KeyStyle) throws -> [UInt8] {
        let output = Output(keys: keys)
        try Writer(output: output).encodeValue(value)
        return output.bytes
    }

    /// Writes `value` as JSON, handing the bytes to `consume` a chunk at a
    /// time (about 64 KiB): a digest of a whole view needs no copy of it.
    public static func encode<Value: Encodable>(
        _ value: Value, keys: KeyStyle, chunks consume: @escaping ([UInt8]) -> Void
    ) throws {
        let output = Output(keys: keys, spill: consume)
        try Writer(output: output).encodeValue(value)
        consume(output.bytes)
    }

    /// The bytes written so far, shared by every container of one encoding.
    final class Output {
        static let chunkSize = 1 << 16

        var bytes: [UInt8] = []
        let keys: KeyStyle
        /// Takes every full chunk when the bytes are not kept whole.
        private let spill: (([UInt8]) -> Void)?

        init(keys: KeyStyle, spill: (([UInt8]) -> Void)? = nil) {
            self.keys = keys
            self.spill = spill
            bytes.reserveCapacity(spill == nil ? 512 : Self.chunkSize + 4096)
        }

        func append(_ string: String) {
            bytes.append(contentsOf: string.utf8)
            spillIfFull()
        }

        func appendQuoted(_ string: String) {
            EventJSONWriter.quoted(string, into: &bytes)
            spillIfFull()
        }

        func appendKey(_ name: String) {
            switch keys {
            case .snakeCase: appendQuoted(EventJSONWriter.snakeName(name))
            case .asDeclared: appendQuoted(name)
            }
        }

        /// Writes the digits straight into the bytes: no string per number.
        func appendDecimal(_ value: UInt64) {
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &digits) { buffer in
                var rest = value
                var index = buffer.count
                repeat {
                    index -= 1
                    buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                } while rest > 0
                bytes.append(contentsOf: buffer[index...])
            }
            spillIfFull()
        }

        func appendDecimal(_ value: Int) {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            appendDecimal(UInt64(value.magnitude))
        }

        private func spillIfFull() {
            guard let spill, bytes.count >= Self.chunkSize else { return }
            spill(bytes)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    /// `string` as a JSON string, as stored events, envelopes and responses
    /// write them (slashes and non-ASCII as they are). Runs of bytes that
    /// need no escape, nearly all of them, are copied whole.
    public static func quoted(_ string: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                escape(byte, into: &bytes)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func escape(_ byte: UInt8, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            hex.withUTF8Buffer { digits in
                bytes.append(contentsOf: [UInt8(ascii: "u"), 48, 48, digits[Int(byte >> 4)], digits[Int(byte & 15)]])
            }
        }
    }

    /// Property names in snake_case, converted once per process.
    private static let snakeNames = Mutex<[String: String]>([:])

    static func snakeName(_ name: String) -> String {
        if let known = snakeNames.withLock({ $0[name] }) { return known }
        let converted = SnakeKey(camel: name).stringValue
        snakeNames.withLock { $0[name] = converted }
        return converted
    }

    struct Writer: Encoder {
        let output: Output
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Object<Key>(output: output))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            List(output: output)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            Single(output: output)
        }

        /// Writes one value, special-casing free-form objects and scalars.
        ///
        /// Scalars are told apart by comparing metatypes, not by dynamic
        /// casts: a checkpoint writes millions of values, and a cast to
        /// `any FixedWidthInteger` looked up a conformance for each.
        func encodeValue<Value: Encodable>(_ value: Value) throws {
            let type = Value.self
            if type == UInt64.self {
                output.appendDecimal(unsafeBitCast(value, to: UInt64.self))
            } else if type == String.self {
                output.appendQuoted(unsafeBitCast(value, to: String.self))
            } else if type == Int.self {
                output.appendDecimal(unsafeBitCast(value, to: Int.self))
            } else if type == Bool.self {
                output.append(unsafeBitCast(value, to: Bool.self) ? "true" : "false")
            } else if type == Double.self {
                output.append(Self.format(unsafeBitCast(value, to: Double.self)))
            } else if type == JSONObject.self {
                let object = unsafeBitCast(value, to: JSONObject.self)
                output.append("{")
                for (index, key) in object.keys.sorted().enumerated() {
                    if index > 0 { output.append(",") }
                    output.appendQuoted(key)
                    output.append(":")
                    try encodeValue(object[key]!)
                }
                output.append("}")
            } else if let integer = Self.integer(value) {
                output.append(integer)
            } else if type == Float.self {
                output.append(Self.format(Double(unsafeBitCast(value, to: Float.self))))
            } else {
                try value.encode(to: self)
            }
        }

        /// The rarer integer types (their `encode(to:)` would come back here).
        private static func integer<Value>(_ value: Value) -> String? {
            let type = Value.self
            if type == UInt32.self { return String(unsafeBitCast(value, to: UInt32.self)) }
            if type == UInt16.self { return String(unsafeBitCast(value, to: UInt16.self)) }
            if type == UInt8.self { return String(unsafeBitCast(value, to: UInt8.self)) }
            if type == UInt.self { return String(unsafeBitCast(value, to: UInt.self)) }
            if type == Int64.self { return String(unsafeBitCast(value, to: Int64.self)) }
            if type == Int32.self { return String(unsafeBitCast(value, to: Int32.self)) }
            if type == Int16.self { return String(unsafeBitCast(value, to: Int16.self)) }
            if type == Int8.self { return String(unsafeBitCast(value, to: Int8.self)) }
            return nil
        }

        /// Integral doubles without a fraction, as JSONEncoder writes them.
        static func format(_ number: Double) -> String {
            guard number.isFinite else { return "null" }
            if number == 0 && number.sign == .minus { return "-0" }
            if number.rounded() == number && abs(number) < 1e15 { return String(Int64(number)) }
            return String(describing: number)
        }
    }

    /// A JSON object; a member's comma goes before it, from the second on.
    final class Object<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let output: Output
        var codingPath: [any CodingKey] = []
        private var count = 0

        init(output: Output) {
            self.output = output
            output.append("{")
        }

        /// The encoder protocol has no "end of object": a container is done when released.
        deinit {
            output.append("}")
        }

        private func key(_ key: Key) {
            if count > 0 { output.append(",") }
            count += 1
            output.appendKey(key.stringValue)
            output.append(":")
        }

        func encodeNil(forKey key: Key) throws {
            self.key(key)
            output.append("null")
        }

        func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            self.key(key)
            try Writer(output: output).encodeValue(value)
        }

        // Concrete types skip the generic path's dynamic casts.
        func encode(_ value: String, forKey key: Key) throws {
            self.key(key)
            output.appendQuoted(value)
        }

        func encode(_ value: Bool, forKey key: Key) throws {
            self.key(key)
            output.append(value ? "true" : "false")
        }

        func encode(_ value: UInt64, forKey key: Key) throws {
            self.key(key)
            output.appendDecimal(value)
        }

        func encode(_ value: Int, forKey key: Key) throws {
            self.key(key)
            output.appendDecimal(value)
        }

        func encode(_ value: Double, forKey key: Key) throws {
            self.key(key)
            output.append(Writer.format(value))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            self.key(key)
            return KeyedEncodingContainer(Object<NestedKey>(output: output))
        }

        func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            self.key(key)
            return List(output: output)
        }

        func superEncoder() -> any Encoder {
            Writer(output: output)
        }

        func superEncoder(forKey key: Key) -> any Encoder {
            self.key(key)
            return Writer(output: output)
        }
    }

    final class List: UnkeyedEncodingContainer {
        let output: Output
        var codingPath: [any CodingKey] = []
        private(set) var count = 0

        init(output: Output) {
            self.output = output
            output.append("[")
        }

        deinit {
            output.append("]")
        }

        private func separate() {
            if count > 0 { output.append(",") }
            count += 1
        }

        func encodeNil() throws {
            separate()
            output.append("null")
        }

        func encode<T: Encodable>(_ value: T) throws {
            separate()
            try Writer(output: output).encodeValue(value)
        }

        func encode(_ value: String) throws {
            separate()
            output.appendQuoted(value)
        }

        func encode(_ value: UInt64) throws {
            separate()
            output.appendDecimal(value)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            separate()
            return KeyedEncodingContainer(Object<NestedKey>(output: output))
        }

        func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            separate()
            return List(output: output)
        }

        func superEncoder() -> any Encoder {
            separate()
            return Writer(output: output)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let output: Output
        var codingPath: [any CodingKey] = []

        func encodeNil() throws {
            output.append("null")
        }

        func encode<T: Encodable>(_ value: T) throws {
            try Writer(output: output).encodeValue(value)
        }

        func encode(_ value: String) throws {
            output.appendQuoted(value)
        }

        func encode(_ value: Bool) throws {
            output.append(value ? "true" : "false")
        }

        func encode(_ value: Double) throws {
            output.append(Writer.format(value))
        }

        func encode(_ value: Int) throws {
            output.appendDecimal(value)
        }
    }
}
