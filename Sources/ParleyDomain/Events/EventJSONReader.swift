/// Decodes an event's stored JSON straight from its bytes, with the same
/// outcome as ``EventCodec/decoder()``: a type's properties are found under
/// the snake_case keys they were written as (``CamelKey``), and free-form
/// objects (String-keyed dictionaries) keep their keys as they are.
///
/// Folding the log decodes every stored event; Foundation's decoder builds a
/// tree of every value and converts every key through a closure first, and
/// was most of a rebuild's time. This one reads values where they lie
/// (``JSONScanner``) and matches keys byte by byte. Keys written as the
/// property is named (Foundation's default, as the ledger's checkpoint is
/// written) are found too.
public enum EventJSONReader {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            try T(from: Reader(bytes: buffer, index: 0))
        }
    }

    /// A decoder for the value at `index`. It keeps no coding path (building
    /// one per value was a tenth of the time): errors name the byte instead.
    struct Reader: Decoder {
        let bytes: UnsafeBufferPointer<UInt8>
        let index: Int
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        var scanner: JSONScanner { JSONScanner(bytes, at: index) }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(try Object<Key>(self))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try List(self)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            Single(reader: self)
        }

        func child(at index: Int) -> Reader {
            Reader(bytes: bytes, index: index)
        }

        func failure(_ type: Any.Type, _ error: any Error) -> DecodingError {
            if let error = error as? DecodingError { return error }
            return .dataCorrupted(.init(codingPath: codingPath, debugDescription: "expected \(type): \(error)", underlyingError: error))
        }

        // MARK: Values

        func isNull() throws -> Bool {
            var scanner = self.scanner
            return try scanner.skipNull()
        }

        func decodeBool() throws -> Bool {
            var scanner = self.scanner
            do { return try scanner.bool() } catch { throw failure(Bool.self, error) }
        }

        func decodeString() throws -> String {
            var scanner = self.scanner
            guard try scanner.peek() == UInt8(ascii: "\"") else { throw mismatch(String.self) }
            return try scanner.string()
        }

        func decodeDouble() throws -> Double {
            var scanner = self.scanner
            let text: String
            do { text = String(decoding: try scanner.number(), as: UTF8.self) } catch { throw mismatch(Double.self) }
            guard let value = Double(text) else { throw mismatch(Double.self) }
            return value
        }

        func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            var scanner = self.scanner
            let token: UnsafeBufferPointer<UInt8>
            do { token = try scanner.number() } catch { throw mismatch(type) }
            if let value = T(String(decoding: token, as: UTF8.self)) { return value }
            // Written with a fraction or an exponent, but a whole number that fits.
            guard let double = Double(String(decoding: token, as: UTF8.self)), let value = T(exactly: double) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: codingPath, debugDescription: "\(String(decoding: token, as: UTF8.self)) does not fit \(type)"))
            }
            return value
        }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            switch type {
            case is String.Type: return try decodeString() as! T
            case is UInt64.Type: return try decodeInteger(UInt64.self) as! T
            case is Int.Type: return try decodeInteger(Int.self) as! T
            case is Bool.Type: return try decodeBool() as! T
            case is Double.Type: return try decodeDouble() as! T
            default: return try T(from: self)
            }
        }

        func mismatch(_ type: Any.Type) -> DecodingError {
            .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(type) at byte \(index)"))
        }
    }

    /// An object's members, found once; values are decoded where they lie.
    struct Object<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let reader: Reader
        /// Each member's raw key and where its value starts.
        private var members: [(key: UnsafeBufferPointer<UInt8>, value: Int)] = []
        /// The member after the last one found: a synthesized `init(from:)`
        /// asks for its properties in the order the writer wrote them.
        private let next = Cursor()
        var codingPath: [any CodingKey] { reader.codingPath }

        final class Cursor {
            var index = 0
        }

        init(_ reader: Reader) throws {
            self.reader = reader
            var scanner = reader.scanner
            guard try scanner.peek() == UInt8(ascii: "{") else { throw reader.mismatch([String: Any].self) }
            var members: [(key: UnsafeBufferPointer<UInt8>, value: Int)] = []
            members.reserveCapacity(16)
            try scanner.forEachMember { key, scanner in
                members.append((key, scanner.index))
                try scanner.skip()
            }
            self.members = members
        }

        /// The keys as written: only dictionaries ask for them, and Foundation
        /// leaves a dictionary's keys as they are.
        var allKeys: [Key] {
            members.compactMap { member in (try? JSONScanner.text(member.key)).flatMap { Key(stringValue: $0) } }
        }

        /// Where the value of `key` starts: the member written as `key` (a
        /// dictionary's), else the one whose snake_case key reads as it (a
        /// property's). Parley's writers never repeat a key, so the member
        /// after the last one found is tried first: in the common case each
        /// lookup compares one key, not every member's.
        private func value(_ key: Key) -> Int? {
            let name = key.stringValue
            let index = next.index
            if index < members.count,
                Self.written(members[index].key, is: name) || CamelKey.matches(snake: members[index].key, camel: name)
            {
                next.index = index + 1
                return members[index].value
            }
            let found = members.lastIndex { Self.written($0.key, is: name) }
                ?? members.lastIndex { CamelKey.matches(snake: $0.key, camel: name) }
            guard let found else { return nil }
            next.index = found + 1
            return members[found].value
        }

        private static func written(_ raw: UnsafeBufferPointer<UInt8>, is name: String) -> Bool {
            guard !raw.contains(UInt8(ascii: "\\")) else { return (try? JSONScanner.text(raw)) == name }
            return name.utf8.elementsEqual(raw)
        }

        private func reader(_ key: Key) throws -> Reader {
            guard let index = value(key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no member \(key.stringValue) in the object at byte \(reader.index)"))
            }
            return reader.child(at: index)
        }

        func contains(_ key: Key) -> Bool { value(key) != nil }

        func decodeNil(forKey key: Key) throws -> Bool { try reader(key).isNull() }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try reader(key).decode(type)
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let index = value(key) else { return nil }
            let reader = reader.child(at: index)
            return try reader.isNull() ? nil : try reader.decode(type)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(try Object<NestedKey>(try reader(key)))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try List(try reader(key))
        }

        func superDecoder() throws -> any Decoder {
            try reader(Key(stringValue: "super")!)
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            try reader(key)
        }
    }

    /// An array's elements, found once.
    struct List: UnkeyedDecodingContainer {
        let reader: Reader
        private let elements: [Int]
        private(set) var currentIndex = 0
        var codingPath: [any CodingKey] { reader.codingPath }
        var count: Int? { elements.count }
        var isAtEnd: Bool { currentIndex >= elements.count }

        init(_ reader: Reader) throws {
            self.reader = reader
            var scanner = reader.scanner
            guard try scanner.peek() == UInt8(ascii: "[") else { throw reader.mismatch([Any].self) }
            var elements: [Int] = []
            try scanner.forEachElement { scanner in
                elements.append(scanner.index)
                try scanner.skip()
            }
            self.elements = elements
        }

        private mutating func next() throws -> Reader {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the array has no more elements"))
            }
            defer { currentIndex += 1 }
            return reader.child(at: elements[currentIndex])
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, try reader.child(at: elements[currentIndex]).isNull() else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try next().decode(type)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(try Object<NestedKey>(try next()))
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try List(try next())
        }

        mutating func superDecoder() throws -> any Decoder {
            try next()
        }
    }

    struct Single: SingleValueDecodingContainer {
        let reader: Reader
        var codingPath: [any CodingKey] { reader.codingPath }

        func decodeNil() -> Bool { (try? reader.isNull()) ?? false }

        func decode(_ type: Bool.Type) throws -> Bool { try reader.decodeBool() }
        func decode(_ type: String.Type) throws -> String { try reader.decodeString() }
        func decode(_ type: Double.Type) throws -> Double { try reader.decodeDouble() }
        func decode(_ type: Float.Type) throws -> Float { Float(try reader.decodeDouble()) }
        func decode(_ type: Int.Type) throws -> Int { try reader.decodeInteger(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try reader.decodeInteger(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try reader.decodeInteger(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try reader.decodeInteger(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try reader.decodeInteger(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try reader.decodeInteger(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.decodeInteger(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.decodeInteger(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.decodeInteger(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.decodeInteger(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.decode(type) }
    }
}

extension CamelKey {
    /// Whether the snake_case key `snake` reads as `camel`, as
    /// ``CamelKey/init(snake:)`` converts it, without making a string.
    static func matches(snake: UnsafeBufferPointer<UInt8>, camel: String) -> Bool {
        // Non-ASCII keys (free-form attributes) take the general path.
        guard snake.allSatisfy({ $0 < 0x80 }) else {
            return (try? JSONScanner.text(snake)).map { CamelKey(snake: $0).stringValue == camel } ?? false
        }
        var camel = camel
        return camel.withUTF8 { target in
            var out = 0
            var part = 0
            var start = 0
            func emit(_ byte: UInt8) -> Bool {
                guard out < target.count, target[out] == byte else { return false }
                out += 1
                return true
            }
            var index = 0
            while index <= snake.count {
                guard index == snake.count || snake[index] == UInt8(ascii: "_") else { index += 1; continue }
                let word = UnsafeBufferPointer(rebasing: snake[start..<index])
                if part == 0 {
                    for byte in word where !emit(byte) { return false }
                } else if word.equals("id") {
                    guard emit(UInt8(ascii: "I")), emit(UInt8(ascii: "D")) else { return false }
                } else if word.equals("ids") {
                    guard emit(UInt8(ascii: "I")), emit(UInt8(ascii: "D")), emit(UInt8(ascii: "s")) else { return false }
                } else if let first = word.first {
                    let upper = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) ? first - 32 : first
                    guard emit(upper) else { return false }
                    for byte in word.dropFirst() where !emit(byte) { return false }
                }
                part += 1
                index += 1
                start = index
            }
            return out == target.count
        }
    }
}
