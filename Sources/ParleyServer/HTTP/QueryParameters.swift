import Hummingbird

/// Typed reads of a request's query string, decoded as an HTML form is
/// (`+` is a space, then percent escapes), as Chatwoot reads it and as its
/// clients send it. A malformed value is a 400, never a silently ignored filter.
public struct QueryParameters: Sendable {
    /// Names (decoded) and raw values, in order.
    private let pairs: [(name: String, raw: Substring)]

    public init(_ request: Request) {
        self.init(query: request.uri.query ?? "")
    }

    init(query: String) {
        pairs = query.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { return nil }
            return (name, parts.count > 1 ? parts[1] : "")
        }
    }

    private static func decode(_ raw: Substring) -> String? {
        raw.replacing("+", with: " ").removingPercentEncoding
    }

    private func decoded(_ key: String, _ raw: Substring, maxLength: Int) throws -> String {
        guard let value = Self.decode(raw) else { throw APIError.invalid(key, "is not valid percent-encoded UTF-8") }
        guard value.utf8.count <= maxLength else { throw APIError.invalid(key, "longer than \(maxLength) bytes") }
        return value
    }

    /// The first value of `key`.
    public func string(_ key: String, maxLength: Int = 1000) throws -> String? {
        guard let pair = pairs.first(where: { $0.name == key }) else { return nil }
        return try decoded(key, pair.raw, maxLength: maxLength)
    }

    /// Every value of a repeated parameter (`labels[]=a&labels[]=b`).
    public func strings(_ key: String, maxLength: Int = 1000) throws -> [String] {
        try pairs.filter { $0.name == key }.map { try decoded(key, $0.raw, maxLength: maxLength) }
    }

    public func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try string(key, maxLength: 24), !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.invalid(key, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public func id(_ key: String) throws -> UInt64? {
        guard let text = try string(key, maxLength: 24), !text.isEmpty else { return nil }
        guard let value = UInt64(text), value < 1 << 53 else { throw APIError.invalid(key, "must be a non-negative integer id") }
        return value
    }

    /// Epoch seconds (Chatwoot's `since` and `until`).
    public func seconds(_ key: String) throws -> UInt64? {
        guard let text = try string(key, maxLength: 24), !text.isEmpty else { return nil }
        guard let value = UInt64(text), value <= 253_402_300_799 else {
            throw APIError.invalid(key, "must be epoch seconds no later than year 9999")
        }
        return value
    }

    public func value<T: RawRepresentable & CaseIterable>(_ key: String, as type: T.Type) throws -> T?
    where T.RawValue == String {
        guard let text = try string(key, maxLength: 100), !text.isEmpty else { return nil }
        guard let value = T(rawValue: text) else {
            throw APIError.invalid(key, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
