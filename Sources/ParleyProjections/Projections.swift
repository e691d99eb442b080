/// Every view folded from the log, and their digests.
public struct Projections: Sendable, Hashable, Codable {
    public var conversations = ConversationsProjection()
    public var unread = UnreadProjection()
    public var analytics = AnalyticsProjection()
    public var audit = AuditProjection()
    public var directory = DirectoryProjection()
    public var automation = AutomationProjection()

    public init() {}

    public mutating func apply(_ stored: StoredEvent) {
        conversations.apply(stored)
        unread.apply(stored)
        analytics.apply(stored)
        audit.apply(stored)
        directory.apply(stored)
        automation.apply(stored)
    }

    /// One digest per projection, to compare a live fold with a rebuild.
    public func digests() throws -> [String: String] {
        [
            "conversations": try Digest.of(conversations), "unread": try Digest.of(unread),
            "analytics": try Digest.of(analytics), "audit": try Digest.of(audit),
            "directory": try Digest.of(directory), "automation": try Digest.of(automation),
        ]
    }
}
