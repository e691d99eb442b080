// Messages: sending, editing, soft-deleting.

extension Decision {
    /// The message event for `message` sent by the caller into conversation `id`.
    func messageEvent(
        _ message: NewMessage, in id: UInt64, _ conversation: ConversationRecord, account: AccountRecord, messageID: UInt64
    ) throws(DomainError) -> DomainEvent {
        let type: MessageType
        let sender: Actor
        switch command.principal {
        case .contact(let contact):
            guard account.contacts[contact]?.details.blocked != true else { throw .contactBlocked(contactID: contact) }
            guard !message.isPrivate else { throw .forbidden("contacts have no private notes") }
            type = .incoming
            sender = .contact(contact)
        case .user(let user):
            if message.messageType == .incoming, account.contacts[conversation.contactID]?.details.blocked == true {
                throw .contactBlocked(contactID: conversation.contactID)
            }
            guard message.messageType == .outgoing || message.messageType == .template
                || (message.messageType == .incoming && message.isPrivate == false)
            else { throw .invalid(field: "message_type", reason: "agents send outgoing or template messages") }
            type = message.messageType
            sender = type == .incoming ? .contact(conversation.contactID) : .agent(user)
        case .system, .bot:
            if message.messageType == .incoming, account.contacts[conversation.contactID]?.details.blocked == true {
                throw .contactBlocked(contactID: conversation.contactID)
            }
            type = message.messageType
            sender = type == .incoming ? .contact(conversation.contactID) : .bot(0)
        case .platform:
            throw .forbidden("platform apps manage accounts and users only")
        }
        guard message.content.count <= Limits.maxContentLength else {
            throw .contentTooLong(length: message.content.count, limit: Limits.maxContentLength)
        }
        guard message.attachments.count <= Limits.maxAttachments else {
            throw .tooManyAttachments(count: message.attachments.count, limit: Limits.maxAttachments)
        }
        guard !message.content.isEmpty || !message.attachments.isEmpty else {
            throw .invalid(field: "content", reason: "a message needs content or an attachment")
        }
        for attachment in message.attachments {
            guard attachment.size >= 0, !attachment.url.isEmpty, attachment.url.count <= 2048,
                attachment.name.count <= Limits.maxNameLength
            else { throw .invalid(field: "attachments", reason: "each needs a url, a name and a size") }
        }
        try requireShort(message.contentType, field: "content_type")
        if let echo = message.echoID { try requireShort(echo, field: "echo_id") }
        return DomainEvent(
            accountID: accountID, actor: actor,
            streams: conversationStreams(id, conversation, contactSees: !message.isPrivate),
            body: .messageCreated(
                MessageCreated(
                    messageID: messageID, conversationID: id, messageType: type, content: message.content,
                    contentType: message.contentType, contentAttributes: message.contentAttributes,
                    private: message.isPrivate, sender: sender, attachments: message.attachments, echoID: message.echoID)))
    }

    func sendMessage(conversationID id: UInt64, message: NewMessage) throws(DomainError) -> [DomainEvent] {
        let (account, conversation) = try conversation(id)
        if conversation.rateWindowStart + Limits.rateWindowMilliseconds > now
            && conversation.rateWindowCount >= Limits.maxMessagesPerWindow
        {
            throw .rateLimited(conversationID: id)
        }
        var messageID = state.nextMessageID
        var events: [DomainEvent] = []
        let incoming: Bool
        if case .contact = command.principal { incoming = true } else { incoming = message.messageType == .incoming }
        if incoming && (conversation.status == .resolved || conversation.status == .snoozed) {
            events.append(
                event(
                    .statusChanged(
                        ConversationStatusChanged(conversationID: id, status: .open, previousStatus: conversation.status, snoozedUntil: nil)),
                    streams: conversationStreams(id, conversation, contactSees: true)))
            events.append(activity(ActivityText.status(.open, by: nil), in: id, conversation, messageID: messageID))
            messageID += 1
        }
        events.append(try messageEvent(message, in: id, conversation, account: account, messageID: messageID))
        return events
    }

    /// A message of conversation `id` that the caller may change: their own, or any as an administrator.
    private func ownMessage(_ messageID: UInt64, in id: UInt64) throws(DomainError) -> (ConversationRecord, MessageRecord) {
        let (account, conversation) = try agentConversation(id)
        guard let message = state.messages[messageID], message.accountID == accountID, message.conversationID == id else {
            throw .notFound("message \(messageID)")
        }
        guard message.messageType != .activity else { throw .forbidden("activity messages cannot be changed") }
        guard !message.deleted else { throw .invalid(field: "message", reason: "message \(messageID) was deleted") }
        if case .user(let user) = command.principal, account.members[user] != .administrator, message.sender != .agent(user) {
            throw .forbidden("agents change only their own messages")
        }
        return (conversation, message)
    }

    func updateMessage(conversationID id: UInt64, messageID: UInt64, content: String, contentAttributes: JSONObject)
        throws(DomainError) -> [DomainEvent]
    {
        let (conversation, message) = try ownMessage(messageID, in: id)
        guard content.count <= Limits.maxContentLength else {
            throw .contentTooLong(length: content.count, limit: Limits.maxContentLength)
        }
        return [
            event(
                .messageUpdated(
                    MessageUpdated(messageID: messageID, conversationID: id, content: content, contentAttributes: contentAttributes)),
                streams: conversationStreams(id, conversation, contactSees: !message.isPrivate))
        ]
    }

    func deleteMessage(conversationID id: UInt64, messageID: UInt64) throws(DomainError) -> [DomainEvent] {
        let (conversation, message) = try ownMessage(messageID, in: id)
        return [
            event(
                .messageDeleted(MessageDeleted(messageID: messageID, conversationID: id)),
                streams: conversationStreams(id, conversation, contactSees: !message.isPrivate))
        ]
    }
}
