import Hummingbird

/// Typed reads of a request's query string. A malformed value is a 400,
/// never a silently ignored filter.
public struct QueryParameters: Sendable {
    private let parameters: Hummingbird.Parameters

    public init(_ request: Request) {
        self.parameters = request.uri.queryParameters
    }

    public func string(_ key: String, maxLength: Int = 1000) throws -> String? {
        guard let value = parameters[key[...]].map(String.init) else { return nil }
        guard value.utf8.count <= maxLength else { throw APIError.invalid(key, "longer than \(maxLength) bytes") }
        return value
    }

    /// Every value of a repeated parameter (`labels[]=a&labels[]=b`).
    public func strings(_ key: String) -> [String] {
        parameters.getAll(key).map { String($0) }
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
