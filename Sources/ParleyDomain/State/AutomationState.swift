/// What the automation decides against, folded from the log like the rest of
/// ``DomainState``: FAQ entries, per-conversation facts (greeted, out of
/// office sent, waiting for a reply), the auto-assignment queues and the
/// notifications, with the reactor's cursor.
public struct AutomationState: Sendable, Hashable, Codable {
    /// The newest trigger offset the reactor handled; nil before its first start.
    public var cursor: UInt64?
    public var nextFAQID: UInt64 = 1
    public var nextNotificationID: UInt64 = 1
    public var accounts: [UInt64: AccountAutomation] = [:]
    /// Every notification's owner, by id.
    public var notifications: [UInt64: NotificationRecord] = [:]
    /// Unread notification ids by user.
    public var unread: [UInt64: Set<UInt64>] = [:]

    public init() {}
}

public struct AccountAutomation: Sendable, Hashable, Codable {
    public var faqs: [UInt64: FAQEntry] = [:]
    public var conversations: [UInt64: ConversationAutomation] = [:]
    /// Unassigned conversations waiting for an agent, per inbox, oldest first.
    public var queues: [UInt64: [UInt64]] = [:]
    /// The member each inbox's last auto-assignment chose, for round-robin.
    public var lastAssigned: [UInt64: UInt64] = [:]
    /// Conversations whose contact waits for a reply and was not yet notified about, so the check scans only these.
    public var waiting: Set<UInt64> = []
}

public struct FAQEntry: Sendable, Hashable, Codable {
    public var question: String
    public var keywords: [String]
    public var answer: String
    public var active: Bool

    public init(question: String, keywords: [String], answer: String, active: Bool) {
        self.question = question
        self.keywords = keywords
        self.answer = answer
        self.active = active
    }
}

public struct ConversationAutomation: Sendable, Hashable, Codable {
    public var firstIncomingMessageID: UInt64?
    public var greeted = false
    /// The closed period the out-of-office text was last sent for.
    public var outOfOfficePeriod: UInt64?
    /// An FAQ answer was sent and no agent has replied since: further
    /// messages wait for a human.
    public var awaitingHuman = false
    /// When (ms) the oldest incoming message no agent has answered arrived.
    public var waitingSince: UInt64?
    /// The "waiting too long" notification for that wait was sent.
    public var waitingNotified = false
}

public struct NotificationRecord: Sendable, Hashable, Codable {
    public var accountID: UInt64
    public var userID: UInt64
    public var read: Bool
}

extension DomainState {
    /// Folds the automation's share of `event`; called by ``apply(_:at:)``
    /// after the rest of the state took the event.
    mutating func applyAutomation(_ event: DomainEvent, at timestamp: UInt64) {
        let account = event.accountID
        switch event.body {
        case .faqSaved(let e):
            automation.accounts[account, default: .init()].faqs[e.faqID] = FAQEntry(
                question: e.question, keywords: e.keywords, answer: e.answer, active: e.active)
            automation.nextFAQID = max(automation.nextFAQID, e.faqID + 1)
        case .faqDeleted(let e):
            automation.accounts[account]?.faqs[e.faqID] = nil
        case .automationReacted(let e):
            automation.cursor = max(automation.cursor ?? 0, e.triggerOffset)
            guard let id = e.conversationID else { return }
            var facts = automation.accounts[account]?.conversations[id] ?? .init()
            if e.greeted { facts.greeted = true }
            if let period = e.outOfOfficePeriod { facts.outOfOfficePeriod = period }
            if e.faqID != nil { facts.awaitingHuman = true }
            automation.accounts[account, default: .init()].conversations[id] = facts
            if e.assignmentQueued != nil, let inbox = accounts[account]?.conversations[id]?.inboxID,
                automation.accounts[account]?.queues[inbox]?.contains(id) != true
            {
                automation.accounts[account, default: .init()].queues[inbox, default: []].append(id)
            }
        case .messageCreated(let e):
            guard !e.private else { return }
            var facts = automation.accounts[account]?.conversations[e.conversationID] ?? .init()
            switch (e.messageType, e.sender?.type) {
            case (.incoming, _):
                if facts.firstIncomingMessageID == nil { facts.firstIncomingMessageID = e.messageID }
                if facts.waitingSince == nil {
                    facts.waitingSince = timestamp
                    automation.accounts[account, default: .init()].waiting.insert(e.conversationID)
                }
            case (.outgoing, .agent), (.template, .agent):
                facts.awaitingHuman = false
                facts.waitingSince = nil
                facts.waitingNotified = false
                automation.accounts[account]?.waiting.remove(e.conversationID)
            default:
                return
            }
            automation.accounts[account, default: .init()].conversations[e.conversationID] = facts
        case .statusChanged(let e):
            guard e.status == .resolved else { return }
            automation.accounts[account]?.conversations[e.conversationID]?.waitingSince = nil
            automation.accounts[account]?.conversations[e.conversationID]?.waitingNotified = false
            automation.accounts[account]?.conversations[e.conversationID]?.awaitingHuman = false
            automation.accounts[account]?.waiting.remove(e.conversationID)
            dequeue(e.conversationID, in: account)
        case .assigneeChanged(let e):
            guard let assignee = e.assigneeID else { return }
            dequeue(e.conversationID, in: account)
            if event.actor.type == .bot, let inbox = accounts[account]?.conversations[e.conversationID]?.inboxID {
                automation.accounts[account, default: .init()].lastAssigned[inbox] = assignee
            }
        case .notificationCreated(let e):
            automation.notifications[e.notificationID] = NotificationRecord(accountID: account, userID: e.userID, read: false)
            automation.unread[e.userID, default: []].insert(e.notificationID)
            automation.nextNotificationID = max(automation.nextNotificationID, e.notificationID + 1)
            if e.notificationType == .slaMissedFirstResponse, let conversation = e.conversationID {
                automation.accounts[account]?.conversations[conversation]?.waitingNotified = true
                automation.accounts[account]?.waiting.remove(conversation)
            }
        case .notificationsRead(let e):
            for id in e.notificationIDs {
                automation.notifications[id]?.read = true
                automation.unread[e.userID]?.remove(id)
            }
            if automation.unread[e.userID]?.isEmpty == true { automation.unread[e.userID] = nil }
        default:
            break
        }
    }

    private mutating func dequeue(_ conversation: UInt64, in account: UInt64) {
        guard let inbox = accounts[account]?.conversations[conversation]?.inboxID else { return }
        automation.accounts[account]?.queues[inbox]?.removeAll { $0 == conversation }
        if automation.accounts[account]?.queues[inbox]?.isEmpty == true { automation.accounts[account]?.queues[inbox] = nil }
    }
}
