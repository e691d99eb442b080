/// Why a command was refused. Nothing is appended for a refused command.
///
/// Something that belongs to another account is reported exactly like
/// something that does not exist, so errors never reveal another tenant's data.
public enum DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No such thing, or not in this account (`what` is e.g. "conversation 7").
    case notFound(String)
    /// The caller may not do this (an agent outside the inbox, admin-only actions).
    case forbidden(String)
    /// A field's value is not acceptable.
    case invalid(field: String, reason: String)
    /// It would clash with something that exists (an identifier, a source id, a label title).
    case conflict(String)
    case contentTooLong(length: Int, limit: Int)
    case tooManyAttachments(count: Int, limit: Int)
    /// The conversation took ``Limits/maxMessagesPerWindow`` messages in the current minute.
    case rateLimited(conversationID: UInt64)
    case contactBlocked(contactID: UInt64)

    /// A short machine-readable name, stable across releases.
    public var code: String {
        switch self {
        case .notFound: "not_found"
        case .forbidden: "forbidden"
        case .invalid: "invalid_argument"
        case .conflict: "conflict"
        case .contentTooLong: "content_too_long"
        case .tooManyAttachments: "too_many_attachments"
        case .rateLimited: "rate_limited"
        case .contactBlocked: "contact_blocked"
        }
    }

    public var description: String {
        switch self {
        case .notFound(let what): "\(what) not found"
        case .forbidden(let reason): "forbidden: \(reason)"
        case .invalid(let field, let reason): "\(field): \(reason)"
        case .conflict(let what): "\(what) already exists"
        case .contentTooLong(let length, let limit): "content is \(length) characters; the limit is \(limit)"
        case .tooManyAttachments(let count, let limit): "\(count) attachments; the limit is \(limit)"
        case .rateLimited(let conversation):
            "conversation \(conversation) received \(Limits.maxMessagesPerWindow) messages this minute; retry later"
        case .contactBlocked(let contact): "contact \(contact) is blocked"
        }
    }
}
