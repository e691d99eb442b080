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
public struct EventJSONWriter {
    static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let output = Output()
        try Writer(output: output).encodeValue(value)
        return output.bytes
    }

    /// The bytes written so far, shared by every container of one encoding.
    final class Output {
        var bytes: [UInt8] = []

        init() {
            bytes.reserveCapacity(512)
        }

        func append(_ string: String) {
            bytes.append(contentsOf: string.utf8)
        }

        func appendQuoted(_ string: String) {
            EventJSONWriter.quoted(string, into: &bytes)
        }
    }

    /// `string` as a JSON string, as stored events and envelopes write them
    /// (slashes and non-ASCII as they are).
    public static func quoted(_ string: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
            case 0x0A: bytes.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
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

        /// Writes one value, special-casing free-form objects and numbers.
        func encodeValue<Value: Encodable>(_ value: Value) throws {
            switch value {
            case let object as JSONObject:
                output.append("{")
                for (index, key) in object.keys.sorted().enumerated() {
                    if index > 0 { output.append(",") }
                    output.appendQuoted(key)
                    output.append(":")
                    try encodeValue(object[key]!)
                }
                output.append("}")
            case let string as String:
                output.appendQuoted(string)
            case let bool as Bool:
                output.append(bool ? "true" : "false")
            case let number as Double:
                output.append(Self.format(number))
            case let number as any FixedWidthInteger:
                output.append(String(describing: number))
            default:
                try value.encode(to: self)
            }
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
            output.appendQuoted(EventJSONWriter.snakeName(key.stringValue))
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
            output.append(String(value))
        }

        func encode(_ value: Int, forKey key: Key) throws {
            self.key(key)
            output.append(String(value))
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
            output.append(String(value))
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
            output.append(String(value))
        }
    }
}
