/// The payload of one event type.
///
/// Each payload names its type (Chatwoot's vocabulary where it has one) and
/// version, and is stored as JSON with snake_case keys. Its JSON Schema is
/// `Schemas/events/<type>.v<version>.json`.
public protocol EventPayload: Sendable, Hashable, Codable {
    static var type: String { get }
    static var version: Int { get }
}

extension EventPayload {
    public static var version: Int { 1 }
}
