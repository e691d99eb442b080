import ParleyDomain

/// One audit entry: who did what to what, when.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var offset: UInt64
    /// Milliseconds since 1970.
    public var time: UInt64
    public var actor: Actor
    /// The event type, or the action an `audit.recorded` event names (`sign_in`, `access_denied` …).
    public var action: String
    public var targetType: String
    public var targetID: UInt64?
    public var ipAddress: String?
}

extension AuditEntry {
    /// What `stored` says as an audit entry: its actor, its type (or the
    /// action an `audit.recorded` names) and the inbox, user, team, label or
    /// webhook it concerns (the account otherwise). Shared by the projection
    /// and `parleyctl export-audit`, so the two always tell the same story.
    public init(_ stored: StoredEvent) {
        let account = stored.event.accountID
        self.init(
            offset: stored.entry.offset, time: stored.entry.timestamp, actor: stored.event.actor, action: stored.event.type,
            targetType: "Account", targetID: account, ipAddress: nil)
        switch stored.event.body {
        case .inboxCreated(let e): (targetType, targetID) = ("Inbox", e.inboxID)
        case .inboxUpdated(let e): (targetType, targetID) = ("Inbox", e.inboxID)
        case .inboxMembersChanged(let e): (targetType, targetID) = ("Inbox", e.inboxID)
        case .accountUserAdded(let e): (targetType, targetID) = ("User", e.userID)
        case .accountUserUpdated(let e): (targetType, targetID) = ("User", e.userID)
        case .accountUserRemoved(let e): (targetType, targetID) = ("User", e.userID)
        case .teamCreated(let e): (targetType, targetID) = ("Team", e.teamID)
        case .teamMembersChanged(let e): (targetType, targetID) = ("Team", e.teamID)
        case .labelCreated(let e): (targetType, targetID) = ("Label", e.labelID)
        case .labelDeleted(let e): (targetType, targetID) = ("Label", e.labelID)
        case .webhookSaved(let e): (targetType, targetID) = ("Webhook", e.webhookID)
        case .webhookDeleted(let e): (targetType, targetID) = ("Webhook", e.webhookID)
        case .webhookDeliveryChanged(let e): (targetType, targetID) = ("Webhook", e.webhookID)
        case .automationReacted(let e) where e.assignmentQueued != nil:
            action = "auto_assignment.queued"
            (targetType, targetID) = ("Conversation", e.conversationID)
        case .auditRecorded(let e):
            action = e.action
            (targetType, targetID) = (e.targetType, e.targetID)
            ipAddress = e.ipAddress
        default:
            break
        }
    }
}

/// A page of audit entries, newest first, as Chatwoot's `audit_logs` pages them.
public struct AuditPage: Sendable, Hashable {
    public static let perPage = 15
    public var totalEntries: Int
    public var currentPage: Int
    public var entries: [AuditEntry]
}

/// The audit trail of each account: every event on its `audit:` stream, which
/// is where the domain puts administrative and security actions.
public struct AuditProjection: Sendable, Hashable, Codable {
    private(set) var entries: [UInt64: [AuditEntry]] = [:]

    public init() {}

    public mutating func apply(_ stored: StoredEvent) {
        let account = stored.event.accountID
        guard stored.event.streams.contains(StreamNames.audit(account)) else { return }
        entries[account, default: []].append(AuditEntry(stored))
    }

    /// Entries of `account`, newest first, filtered by actor, action and time (`[since, until)` in ms).
    public func page(
        account: UInt64, actor: Actor? = nil, action: String? = nil, since: UInt64? = nil, until: UInt64? = nil,
        page: Int = 1
    ) -> AuditPage {
        let selected = (entries[account] ?? []).reversed().filter { entry in
            (actor == nil || entry.actor == actor) && (action == nil || entry.action == action)
                && (since.map { entry.time >= $0 } ?? true) && (until.map { entry.time < $0 } ?? true)
        }
        let pageIndex = page > 1 ? page - 1 : 0
        let start = min(pageIndex, selected.count / AuditPage.perPage + 1) * AuditPage.perPage
        let slice = start < selected.count ? Array(selected[start..<min(selected.count, start + AuditPage.perPage)]) : []
        return AuditPage(totalEntries: selected.count, currentPage: max(1, page), entries: slice)
    }
}

extension AuditProjection: CanonicallyEncodable {
    /// Canonical: accounts in order.
    public func encodeCanonically(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for (account, list) in entries.sorted(by: { $0.key < $1.key }) {
            try container.encode(account)
            try container.encode(list)
        }
    }
}
