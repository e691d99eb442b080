import Hummingbird
import NIOCore
import ParleyDomain

/// A request's JSON object body, read field by field with type checks.
///
/// Every member must be read (or named as accepted and ignored) before
/// ``finish()``, which refuses members nobody asked for: a misspelt field is
/// an error, never a silent no-op.
public struct JSONBody: Sendable {
    private let members: [String: JSONValue]
    private var read: Set<String> = []
    /// Where this object sits in the body, for error messages (`message.content`).
    private let path: String

    public init(_ members: [String: JSONValue], path: String = "") {
        self.members = members
        self.path = path
    }

    /// Reads and parses the body of `request`; an empty body is an empty object.
    public static func read(_ request: Request, limit: Int) async throws -> JSONBody {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return try parse(Array(buffer.readableBytesView))
    }

    public static func parse(_ bytes: [UInt8]) throws -> JSONBody {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return JSONBody([:]) }
        guard case .object(let members) = try JSONParser.parse(bytes) else {
            throw APIError.badRequest("malformed_json", "the body must be a JSON object")
        }
        return JSONBody(members)
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether `key` is present (null counts as present).
    public func has(_ key: String) -> Bool { members[key] != nil }

    /// Whether `key` is present and null: "clear this".
    public func isNull(_ key: String) -> Bool { members[key] == .null }

    private mutating func take(_ key: String) -> JSONValue? {
        read.insert(key)
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    public mutating func string(_ key: String, maxLength: Int = 100_000) throws -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else { throw APIError.invalid(name(key), "must be a string") }
        guard text.utf8.count <= maxLength else { throw APIError.invalid(name(key), "longer than \(maxLength) bytes") }
        return text
    }

    public mutating func requiredString(_ key: String, maxLength: Int = 100_000) throws -> String {
        guard let text = try string(key, maxLength: maxLength) else { throw missing(key) }
        return text
    }

    /// A non-negative integer id; digits in a string are accepted, as Chatwoot's clients send both.
    public mutating func id(_ key: String) throws -> UInt64? {
        guard let value = take(key) else { return nil }
        return try Self.id(value, name: name(key))
    }

    public mutating func requiredID(_ key: String) throws -> UInt64 {
        guard let id = try id(key) else { throw missing(key) }
        return id
    }

    public mutating func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = take(key) else { return nil }
        // `Int(exactly:)` rather than comparing doubles: `Double(Int.max)` rounds up to 2^63, where `Int(_:)` traps.
        guard case .number(let number) = value, let integer = Int(exactly: number), range.contains(integer) else {
            throw APIError.invalid(name(key), "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    public mutating func bool(_ key: String) throws -> Bool? {
        guard let value = take(key) else { return nil }
        guard case .bool(let flag) = value else { throw APIError.invalid(name(key), "must be true or false") }
        return flag
    }

    public mutating func object(_ key: String) throws -> JSONObject? {
        guard let value = take(key) else { return nil }
        guard case .object(let object) = value else { throw APIError.invalid(name(key), "must be an object") }
        return object
    }

    /// A nested object read with the same rules.
    public mutating func nested(_ key: String) throws -> JSONBody? {
        try object(key).map { JSONBody($0, path: name(key)) }
    }

    /// An array of objects, each read with the same rules (`working_hours[2]`).
    public mutating func nestedArray(_ key: String, maxCount: Int) throws -> [JSONBody]? {
        guard let value = take(key) else { return nil }
        guard case .array(let values) = value, values.count <= maxCount else {
            throw APIError.invalid(name(key), "must be an array of at most \(maxCount) objects")
        }
        return try values.enumerated().map { index, value in
            guard case .object(let members) = value else { throw APIError.invalid("\(name(key))[\(index)]", "must be an object") }
            return JSONBody(members, path: "\(name(key))[\(index)]")
        }
    }

    public mutating func strings(_ key: String, maxCount: Int = 1000, maxLength: Int = 1000) throws -> [String]? {
        guard let value = take(key) else { return nil }
        guard case .array(let values) = value, values.count <= maxCount else {
            throw APIError.invalid(name(key), "must be an array of at most \(maxCount) strings")
        }
        return try values.map { value in
            guard case .string(let text) = value, text.utf8.count <= maxLength else {
                throw APIError.invalid(name(key), "must hold strings of at most \(maxLength) bytes")
            }
            return text
        }
    }

    public mutating func ids(_ key: String, maxCount: Int = 1000) throws -> [UInt64]? {
        guard let value = take(key) else { return nil }
        guard case .array(let values) = value, values.count <= maxCount else {
            throw APIError.invalid(name(key), "must be an array of at most \(maxCount) ids")
        }
        return try values.map { try Self.id($0, name: name(key)) }
    }

    /// A string that must be one of an enumeration's raw values.
    public mutating func value<T: RawRepresentable & CaseIterable>(_ key: String, as type: T.Type) throws -> T?
    where T.RawValue == String {
        guard let text = try string(key, maxLength: 100) else { return nil }
        guard let value = T(rawValue: text) else {
            throw APIError.invalid(name(key), "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// Marks members Chatwoot's clients send that Parley accepts and does not use.
    public mutating func ignore(_ keys: String...) {
        read.formUnion(keys)
    }

    /// Refuses members that were never read.
    public func finish() throws {
        let unknown = Set(members.keys).subtracting(read).sorted()
        guard unknown.isEmpty else {
            throw APIError.badRequest("unknown_field", "unknown field \(unknown.map { "'\(name($0))'" }.joined(separator: ", "))")
        }
    }

    private func missing(_ key: String) -> APIError {
        APIError.badRequest("missing_field", "\(name(key)) is required")
    }

    private static func id(_ value: JSONValue, name: String) throws -> UInt64 {
        switch value {
        case .number(let number) where number.rounded() == number && number >= 0 && number < 9.0e15:
            return UInt64(number)
        case .string(let text) where !text.isEmpty && text.utf8.count <= 15 && text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }):
            return UInt64(text)!
        default:
            throw APIError.invalid(name, "must be a non-negative integer id")
        }
    }
}
