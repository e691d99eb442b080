/// The projections by name, as `parleyctl rebuild --projection` and the
/// admin endpoint name them.
public enum ProjectionName: String, Sendable, Hashable, CaseIterable, Comparable {
    case conversations, unread, analytics, audit, directory, automation

    public static func < (left: ProjectionName, right: ProjectionName) -> Bool { left.rawValue < right.rawValue }

    /// `all` or one name; nil for anything else.
    public static func selection(_ text: String) -> Set<ProjectionName>? {
        text == "all" ? Set(allCases) : ProjectionName(rawValue: text).map { [$0] }
    }

    /// The names `selection(_:)` accepts, for error messages.
    public static var choices: String { (["all"] + allCases.map(\.rawValue)).joined(separator: ", ") }
}

extension Projections {
    /// Folds `stored` into the named projections only: a rebuild of some
    /// leaves the others' work undone.
    public mutating func apply(_ stored: StoredEvent, only names: Set<ProjectionName>) {
        if names.contains(.conversations) { conversations.apply(stored) }
        if names.contains(.unread) { unread.apply(stored) }
        if names.contains(.analytics) { analytics.apply(stored) }
        if names.contains(.audit) { audit.apply(stored) }
        if names.contains(.directory) { directory.apply(stored) }
        if names.contains(.automation) { automation.apply(stored) }
    }

    /// Puts `other`'s named projections in place of these.
    public mutating func replace(_ names: Set<ProjectionName>, with other: Projections) {
        if names.contains(.conversations) { conversations = other.conversations }
        if names.contains(.unread) { unread = other.unread }
        if names.contains(.analytics) { analytics = other.analytics }
        if names.contains(.audit) { audit = other.audit }
        if names.contains(.directory) { directory = other.directory }
        if names.contains(.automation) { automation = other.automation }
    }

    /// The digest of one projection (see ``digests()``).
    public func digest(of name: ProjectionName) throws -> String {
        switch name {
        case .conversations: try Digest.of(conversations)
        case .unread: try Digest.of(unread)
        case .analytics: try Digest.of(analytics)
        case .audit: try Digest.of(audit)
        case .directory: try Digest.of(directory)
        case .automation: try Digest.of(automation)
        }
    }
}
