// Events about conversations. `conversationID` is the per-account display id.

public struct ConversationCreated: EventPayload {
    public static let type = "conversation.created"
    public var conversationID: UInt64
    public var inboxID: UInt64
    public var contactID: UInt64
    public var sourceID: String
    public var status: ConversationStatus
    public var assigneeID: UInt64?
    public var teamID: UInt64?
    public var priority: Priority?
    public var labels: [String]
    public var customAttributes: JSONObject
}

public struct ConversationStatusChanged: EventPayload {
    public static let type = "conversation.status_changed"
    public var conversationID: UInt64
    public var status: ConversationStatus
    public var previousStatus: ConversationStatus
    /// Epoch seconds when a snoozed conversation reopens by itself; nil means until the next message.
    public var snoozedUntil: UInt64?
}

public struct AssigneeChanged: EventPayload {
    public static let type = "assignee.changed"
    public var conversationID: UInt64
    public var assigneeID: UInt64?
    public var previousAssigneeID: UInt64?
}

public struct TeamChanged: EventPayload {
    public static let type = "conversation.team_changed"
    public var conversationID: UInt64
    public var teamID: UInt64?
    public var previousTeamID: UInt64?
}

public struct PriorityChanged: EventPayload {
    public static let type = "conversation.priority_changed"
    public var conversationID: UInt64
    public var priority: Priority?
    public var previousPriority: Priority?
}

public struct LabelsChanged: EventPayload {
    public static let type = "conversation.labels_changed"
    public var conversationID: UInt64
    public var labels: [String]
    public var added: [String]
    public var removed: [String]
}

public struct CustomAttributesChanged: EventPayload {
    public static let type = "conversation.custom_attributes_changed"
    public var conversationID: UInt64
    public var customAttributes: JSONObject
}

public struct CSATSubmitted: EventPayload {
    public static let type = "conversation.csat_submitted"
    public var conversationID: UInt64
    public var rating: Int
    public var feedback: String
}

/// Typing started; ephemeral: delivered live, never counted, pruned.
public struct TypingOn: EventPayload {
    public static let type = "conversation.typing_on"
    public var conversationID: UInt64
    public var isPrivate: Bool
}

public struct TypingOff: EventPayload {
    public static let type = "conversation.typing_off"
    public var conversationID: UInt64
    public var isPrivate: Bool
}

/// A participant has read the conversation up to a message (`update_last_seen`).
public struct ConversationRead: EventPayload {
    public static let type = "conversation.read"
    public var conversationID: UInt64
    public var participant: Participant
    /// The newest message the participant has seen; 0 before any message.
    public var lastReadMessageID: UInt64
}

/// An agent marked the conversation unread: the cursor moves before the last incoming message.
public struct ConversationMarkedUnread: EventPayload {
    public static let type = "conversation.marked_unread"
    public var conversationID: UInt64
    public var userID: UInt64
    public var lastReadMessageID: UInt64
}
