import ParleyDomain

/// What the automation API and the reactor read: FAQ entries per account,
/// notifications per user, and the reactor's cursor.
public struct AutomationProjection: Sendable, Hashable, Codable {
    /// The newest trigger offset the reactor handled; nil before its first start.
    public private(set) var reactorCursor: UInt64?
    private var faqs: [UInt64: [UInt64: FAQView]] = [:]
    private var notifications: [NotificationOwner: [NotificationView]] = [:]
    /// Where each notification sits in its owner's list.
    private var owners: [UInt64: NotificationOwner] = [:]

    public init() {}

    mutating func apply(_ stored: StoredEvent) {
        let account = stored.event.accountID
        switch stored.event.body {
        case .automationReacted(let e):
            reactorCursor = max(reactorCursor ?? 0, e.triggerOffset)
        case .faqSaved(let e):
            faqs[account, default: [:]][e.faqID] = FAQView(
                id: e.faqID, accountID: account, question: e.question, keywords: e.keywords, answer: e.answer, active: e.active,
                createdAt: faqs[account]?[e.faqID]?.createdAt ?? stored.entry.timestamp, updatedAt: stored.entry.timestamp)
        case .faqDeleted(let e):
            faqs[account]?[e.faqID] = nil
        case .notificationCreated(let e):
            let owner = NotificationOwner(accountID: account, userID: e.userID)
            notifications[owner, default: []].append(
                NotificationView(
                    id: e.notificationID, type: e.notificationType, conversationID: e.conversationID, messageID: e.messageID,
                    webhookID: e.webhookID, createdAt: stored.entry.timestamp, readAt: nil))
            owners[e.notificationID] = owner
        case .notificationsRead(let e):
            for id in e.notificationIDs {
                guard let owner = owners[id], let index = notifications[owner]?.firstIndex(where: { $0.id == id }) else { continue }
                notifications[owner]?[index].readAt = stored.entry.timestamp
            }
        default:
            break
        }
    }

    public func faqs(account: UInt64) -> [FAQView] {
        (faqs[account] ?? [:]).values.sorted { $0.id < $1.id }
    }

    public func faq(_ id: UInt64, account: UInt64) -> FAQView? { faqs[account]?[id] }

    /// A user's notifications in an account, newest first.
    public func notifications(account: UInt64, user: UInt64) -> [NotificationView] {
        (notifications[NotificationOwner(accountID: account, userID: user)] ?? []).reversed()
    }

    public func notification(_ id: UInt64, account: UInt64, user: UInt64) -> NotificationView? {
        guard owners[id] == NotificationOwner(accountID: account, userID: user) else { return nil }
        return notifications[NotificationOwner(accountID: account, userID: user)]?.first { $0.id == id }
    }

    public func unreadCount(account: UInt64, user: UInt64) -> Int {
        notifications[NotificationOwner(accountID: account, userID: user)]?.count { $0.readAt == nil } ?? 0
    }
}

struct NotificationOwner: Sendable, Hashable, Codable {
    var accountID: UInt64
    var userID: UInt64
}

public struct FAQView: Sendable, Hashable, Codable {
    public var id: UInt64
    public var accountID: UInt64
    public var question: String
    public var keywords: [String]
    public var answer: String
    public var active: Bool
    /// Milliseconds since 1970.
    public var createdAt: UInt64
    public var updatedAt: UInt64
}

public struct NotificationView: Sendable, Hashable, Codable {
    public var id: UInt64
    public var type: NotificationType
    /// Nil for a webhook's notification.
    public var conversationID: UInt64?
    public var messageID: UInt64?
    public var webhookID: UInt64?
    /// Milliseconds since 1970.
    public var createdAt: UInt64
    public var readAt: UInt64?
}

extension AutomationProjection: CanonicallyEncodable {
    /// Canonical: every map by key, notification lists as folded.
    public func encodeCanonically(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(reactorCursor)
        for (account, entries) in faqs.sorted(by: { $0.key < $1.key }) {
            try container.encode(account)
            try container.encode(entries.sorted { $0.key < $1.key }.map(\.value))
        }
        let byOwner = notifications.sorted { ($0.key.accountID, $0.key.userID) < ($1.key.accountID, $1.key.userID) }
        for (owner, list) in byOwner {
            try container.encode([owner.accountID, owner.userID])
            try container.encode(list)
        }
    }
}
