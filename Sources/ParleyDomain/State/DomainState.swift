/// What commands are validated against: the current shape of every account,
/// folded from the events so far. Pure data; ``apply(_:at:)`` is the only way
/// it changes.
public struct DomainState: Sendable, Hashable, Codable {
    /// Next ids to hand out. Users, contacts and messages are numbered across
    /// the platform, as Chatwoot does; conversations per account (display ids).
    public var nextAccountID: UInt64 = 1
    public var nextUserID: UInt64 = 1
    public var nextContactID: UInt64 = 1
    public var nextMessageID: UInt64 = 1
    public var nextInboxID: UInt64 = 1
    public var nextTeamID: UInt64 = 1
    public var nextLabelID: UInt64 = 1
    public var nextCannedResponseID: UInt64 = 1
    public var nextWebhookID: UInt64 = 1

    public var users: [UInt64: UserRecord] = [:]
    /// User ids by lowercased email.
    public var usersByEmail: [String: UInt64] = [:]
    public var accounts: [UInt64: AccountRecord] = [:]
    public var messages: [UInt64: MessageRecord] = [:]
    /// Inboxes by their public identifier, across accounts: the Public API
    /// finds an inbox by identifier alone.
    public var inboxesByIdentifier: [String: InboxAddress] = [:]
    public var automation = AutomationState()

    public init() {}
}

public struct UserRecord: Sendable, Hashable, Codable {
    public var name: String
    public var email: String
    public var tokenSha256: String
    public var availability: Availability = .offline
}

public struct AccountRecord: Sendable, Hashable, Codable {
    public var name: String
    public var locale: String
    public var members: [UInt64: Role] = [:]
    public var inboxes: [UInt64: InboxRecord] = [:]
    public var teams: [UInt64: TeamRecord] = [:]
    /// Label ids by title.
    public var labels: [String: UInt64] = [:]
    public var cannedResponses: [UInt64: String] = [:]
    public var webhooks: Set<UInt64> = []
    public var contacts: [UInt64: ContactRecord] = [:]
    public var contactsByIdentifier: [String: UInt64] = [:]
    /// Contact ids by inbox and source id.
    public var contactInboxes: [InboxSource: UInt64] = [:]
    public var conversations: [UInt64: ConversationRecord] = [:]
    /// Conversations by assignee, so removing a member can unassign them.
    public var assignments: [UInt64: Set<UInt64>] = [:]
    public var nextDisplayID: UInt64 = 1
}

public struct InboxAddress: Sendable, Hashable, Codable {
    public var accountID: UInt64
    public var inboxID: UInt64
}

public struct InboxSource: Sendable, Hashable, Codable {
    public var inboxID: UInt64
    public var sourceID: String

    public init(inboxID: UInt64, sourceID: String) {
        self.inboxID = inboxID
        self.sourceID = sourceID
    }
}

public struct InboxRecord: Sendable, Hashable, Codable {
    public var channelType: ChannelType
    public var inboxIdentifier: String
    public var hmacToken: String
    public var settings: InboxSettings
    public var members: Set<UInt64> = []
    /// An API inbox's callback webhook; nil while it has none.
    public var callback: InboxCallback?
}

/// An API inbox's callback URL (Chatwoot's `channel.webhook_url`): the
/// webhook, scoped to the inbox, that delivers the inbox's events.
public struct InboxCallback: Sendable, Hashable, Codable {
    public var webhookID: UInt64
    public var url: String

    public init(webhookID: UInt64, url: String) {
        self.webhookID = webhookID
        self.url = url
    }
}

extension AccountRecord {
    /// The inbox whose callback webhook `webhookID` is; nil for an account webhook.
    public func callbackInbox(ofWebhook webhookID: UInt64) -> UInt64? {
        inboxes.first { $0.value.callback?.webhookID == webhookID }?.key
    }
}

public struct TeamRecord: Sendable, Hashable, Codable {
    public var name: String
    public var members: Set<UInt64> = []
}

public struct ContactRecord: Sendable, Hashable, Codable {
    public var details: ContactDetails
}

public struct ConversationRecord: Sendable, Hashable, Codable {
    public var inboxID: UInt64
    public var contactID: UInt64
    public var status: ConversationStatus
    public var snoozedUntil: UInt64?
    public var assigneeID: UInt64?
    public var teamID: UInt64?
    public var priority: Priority?
    public var labels: [String]
    public var customAttributes: JSONObject
    public var lastMessageID: UInt64 = 0
    /// The newest incoming message, where "mark unread" moves an agent's cursor to.
    public var lastIncomingMessageID: UInt64 = 0
    public var csatRating: Int?
    /// Start (ms) and count of the current one-minute rate-limit window.
    public var rateWindowStart: UInt64 = 0
    public var rateWindowCount: Int = 0
}

public struct MessageRecord: Sendable, Hashable, Codable {
    public var accountID: UInt64
    public var conversationID: UInt64
    public var messageType: MessageType
    public var sender: Actor?
    public var isPrivate: Bool
    public var deleted: Bool = false
}

extension MessageRecord {
    /// An array in the checkpoint, not an object: one per message ever sent,
    /// their keys were most of the domain state's size and cost.
    public init(from decoder: any Decoder) throws {
        var fields = try decoder.unkeyedContainer()
        accountID = try fields.decode(UInt64.self)
        conversationID = try fields.decode(UInt64.self)
        messageType = try fields.decode(MessageType.self)
        sender = try fields.decodeIfPresent(Actor.self)
        isPrivate = try fields.decode(Bool.self)
        deleted = try fields.decode(Bool.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(accountID)
        try fields.encode(conversationID)
        try fields.encode(messageType)
        try fields.encode(sender)
        try fields.encode(isPrivate)
        try fields.encode(deleted)
    }
}
