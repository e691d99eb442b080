/// A request to change something, addressed to one account.
public struct Command: Sendable, Hashable {
    /// The account acted in; ``Platform/accountID`` for users and account creation.
    public var accountID: UInt64
    public var principal: Principal
    public var action: Action

    public init(accountID: UInt64, principal: Principal, action: Action) {
        self.accountID = accountID
        self.principal = principal
        self.action = action
    }
}

/// What a command asks for. Ids a client cannot choose (account, user,
/// inbox, contact, conversation, message) are assigned by the decider; random
/// secrets (inbox identifiers, HMAC tokens, access token hashes, source ids)
/// are made by the server and passed in, so deciding stays pure.
public enum Action: Sendable, Hashable {
    // MARK: Platform
    case createAccount(name: String, locale: String)
    case updateAccount(name: String, locale: String)
    case createUser(name: String, email: String, tokenSha256: String)
    case issueAccessToken(userID: UInt64, tokenSha256: String)
    case addAccountUser(userID: UInt64, role: Role)
    /// An administrator adds an agent by email, as Chatwoot's agent API does:
    /// the user is created (with this token) unless one with the email exists.
    case inviteAgent(name: String, email: String, role: Role, tokenSha256: String)
    case updateAccountUser(userID: UInt64, role: Role)
    case removeAccountUser(userID: UInt64)

    // MARK: Account configuration
    case setAvailability(Availability)
    /// The user's first realtime connection opened (`online`) or their last one closed.
    case setPresence(online: Bool)
    /// Creates an inbox; an API inbox with `callback` also gets its callback webhook.
    case createInbox(
        channelType: ChannelType, inboxIdentifier: String, hmacToken: String, settings: InboxSettings,
        callback: InboxCallbackChange? = nil)
    /// Replaces an inbox's settings; `callback` nil leaves its callback URL as it is.
    case updateInbox(inboxID: UInt64, settings: InboxSettings, callback: InboxCallbackChange? = nil)
    case setInboxMembers(inboxID: UInt64, userIDs: [UInt64])
    case createTeam(name: String, description: String)
    case setTeamMembers(teamID: UInt64, userIDs: [UInt64])
    case createLabel(title: String, description: String, color: String)
    case deleteLabel(labelID: UInt64)
    /// Creates (`id` nil) or replaces a canned response.
    case saveCannedResponse(id: UInt64?, shortCode: String, content: String)
    case deleteCannedResponse(id: UInt64)
    /// Creates (`id` nil, with `secretNonce`) or replaces a webhook subscription.
    case saveWebhook(id: UInt64?, url: String, subscriptions: [String], secretNonce: String? = nil)
    case deleteWebhook(id: UInt64)
    /// Pauses or resumes a webhook's deliveries; only Parley marks one `failing`.
    case setWebhookDelivery(id: UInt64, state: WebhookDeliveryState, reason: String?)
    case recordAudit(action: String, targetType: String, targetID: UInt64?, ipAddress: String?, details: JSONObject)

    // MARK: Contacts
    /// Creates a contact, and its contact inbox when `inbox` is given.
    case createContact(details: ContactDetails, inbox: InboxSource?)
    case updateContact(contactID: UInt64, details: ContactDetails)
    case createContactInbox(contactID: UInt64, inbox: InboxSource)

    // MARK: Conversations
    case createConversation(NewConversation)
    /// Chatwoot's toggle: no status flips open ↔ resolved; a given status wins.
    case toggleStatus(conversationID: UInt64, status: ConversationStatus?, snoozedUntil: UInt64?)
    case setPriority(conversationID: UInt64, priority: Priority?)
    case assign(conversationID: UInt64, assigneeID: UInt64?)
    case assignTeam(conversationID: UInt64, teamID: UInt64?)
    /// Replaces the conversation's labels.
    case setLabels(conversationID: UInt64, labels: [String])
    case setCustomAttributes(conversationID: UInt64, attributes: JSONObject)
    case submitCSAT(conversationID: UInt64, rating: Int, feedback: String)
    case typing(conversationID: UInt64, on: Bool, isPrivate: Bool)
    /// `update_last_seen`: the caller has read everything so far.
    case markRead(conversationID: UInt64)
    /// An agent's "mark as unread": the last incoming message counts as unread again.
    case markUnread(conversationID: UInt64)

    // MARK: Messages
    case sendMessage(conversationID: UInt64, message: NewMessage)
    case updateMessage(conversationID: UInt64, messageID: UInt64, content: String, contentAttributes: JSONObject)
    case deleteMessage(conversationID: UInt64, messageID: UInt64)

    // MARK: Automation
    /// Creates (`id` nil) or replaces an FAQ entry.
    case saveFAQ(id: UInt64?, entry: FAQEntry)
    case deleteFAQ(id: UInt64)
    /// The reactor's answer to one logged event; the bot's only.
    case react(Reaction)
    /// The reactor's first start on a log: it handles only events after `offset`.
    case startAutomation(offset: UInt64)
    /// Notifies about conversations whose contact has waited past their inbox's threshold; the bot's only.
    case notifyWaiting
    /// The caller read these notifications of theirs (nil: all of them in the account).
    case readNotifications(ids: [UInt64]?)
}

public struct NewConversation: Sendable, Hashable {
    public var inboxID: UInt64
    public var contactID: UInt64
    /// The contact inbox to use; created when it does not exist yet.
    public var sourceID: String
    public var status: ConversationStatus
    public var assigneeID: UInt64?
    public var teamID: UInt64?
    public var customAttributes: JSONObject
    /// A first message, sent by the caller.
    public var message: NewMessage?

    public init(
        inboxID: UInt64, contactID: UInt64, sourceID: String, status: ConversationStatus = .open,
        assigneeID: UInt64? = nil, teamID: UInt64? = nil, customAttributes: JSONObject = [:], message: NewMessage? = nil
    ) {
        self.inboxID = inboxID
        self.contactID = contactID
        self.sourceID = sourceID
        self.status = status
        self.assigneeID = assigneeID
        self.teamID = teamID
        self.customAttributes = customAttributes
        self.message = message
    }
}

public struct NewMessage: Sendable, Hashable {
    public var content: String
    /// Ignored for contacts, whose messages are always incoming.
    public var messageType: MessageType
    public var isPrivate: Bool
    public var contentType: String
    public var contentAttributes: JSONObject
    public var attachments: [Attachment]
    public var echoID: String?

    public init(
        content: String, messageType: MessageType = .outgoing, isPrivate: Bool = false, contentType: String = "text",
        contentAttributes: JSONObject = [:], attachments: [Attachment] = [], echoID: String? = nil
    ) {
        self.content = content
        self.messageType = messageType
        self.isPrivate = isPrivate
        self.contentType = contentType
        self.contentAttributes = contentAttributes
        self.attachments = attachments
        self.echoID = echoID
    }
}
