/// One event as the domain decides it: what happened, to which tenant, by whom,
/// and which streams it belongs to. The log adds the offset, the stream
/// sequences and the time.
public struct DomainEvent: Sendable, Hashable {
    public var accountID: UInt64
    public var actor: Actor
    /// Stream names (see ``StreamNames``).
    public var streams: [String]
    /// Delivered live and then pruned (typing).
    public var ephemeral: Bool
    public var body: EventBody

    public init(accountID: UInt64, actor: Actor, streams: [String], ephemeral: Bool = false, body: EventBody) {
        self.accountID = accountID
        self.actor = actor
        self.streams = streams
        self.ephemeral = ephemeral
        self.body = body
    }

    public var type: String { body.type }
}

/// The platform's own pseudo-tenant: events about users, who exist outside any one account.
public enum Platform {
    public static let accountID: UInt64 = .max
}
