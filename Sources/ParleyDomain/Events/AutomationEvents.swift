// Events of Parley's automation: FAQ entries, what the reactor did, and per-user notifications.

/// An FAQ entry the FAQ auto-answer matches incoming messages against.
public struct FAQSaved: EventPayload {
    public static let type = "faq.saved"
    public var faqID: UInt64
    public var question: String
    /// Words or phrases; the share of them found in a message is its score.
    public var keywords: [String]
    public var answer: String
    public var active: Bool
}

public struct FAQDeleted: EventPayload {
    public static let type = "faq.deleted"
    public var faqID: UInt64
}

/// The reactor handled the event at `triggerOffset`. Appended last, in the
/// same atomic batch as the events of the reaction itself, so the log alone
/// says which triggers were handled: after a crash, a restart or a rebuild
/// the reactor resumes after the newest one and never reacts twice.
public struct AutomationReacted: EventPayload {
    public static let type = "automation.reacted"
    public var triggerOffset: UInt64
    /// The conversation the reaction was about, if one.
    public var conversationID: UInt64?
    /// The greeting was sent.
    public var greeted: Bool
    /// The out-of-office text was sent for the closed period with this key
    /// (when the inbox reopens, ms since 1970; the largest integer when it never does).
    public var outOfOfficePeriod: UInt64?
    /// The FAQ entry whose answer was sent.
    public var faqID: UInt64?
    /// Why the conversation waits in the auto-assignment queue (`no_members`, `no_agent_available`).
    public var assignmentQueued: String?
}

/// Kinds of notification, named as Chatwoot names them.
public enum NotificationType: String, Sendable, Hashable, Codable, CaseIterable {
    case conversationAssignment = "conversation_assignment"
    case assignedConversationNewMessage = "assigned_conversation_new_message"
    case conversationMention = "conversation_mention"
    /// The contact waited longer than the inbox's first-response threshold.
    case slaMissedFirstResponse = "sla_missed_first_response"
    /// A webhook's deliveries failed past the retry age (Parley's own; to administrators).
    case webhookFailing = "webhook_failing"
}

/// A notification for one user, on their `user:` stream.
public struct NotificationCreated: EventPayload {
    public static let type = "notification.created"
    public var notificationID: UInt64
    public var userID: UInt64
    public var notificationType: NotificationType
    /// The conversation it is about; nil for a webhook's.
    public var conversationID: UInt64?
    /// The message that caused it (a new message, a mention).
    public var messageID: UInt64?
    /// The webhook it is about (`webhook_failing`).
    public var webhookID: UInt64?
}

/// A user read some of their notifications (one, or all at once).
public struct NotificationsRead: EventPayload {
    public static let type = "notification.read"
    public var userID: UInt64
    public var notificationIDs: [UInt64]
}
