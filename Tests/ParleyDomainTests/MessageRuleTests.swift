import Testing

@testable import ParleyDomain

/// Messages: who sends what, limits, rate limit, blocked contacts, editing and deleting.
@Suite struct MessageRuleTests {
    // MARK: Senders and streams

    @Test func agentMessageIsOutgoingAndReachesTheContact() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let message = NewMessage(
            content: "How can I help?", contentType: "text", contentAttributes: ["x": .bool(true)],
            attachments: [attachment(1)], echoID: "echo-9")
        let events = try world.run(
            .user(acme.agent), .sendMessage(conversationID: acme.conversation, message: message), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: true),
                    body: .messageCreated(
                        MessageCreated(
                            messageID: 1, conversationID: acme.conversation, messageType: .outgoing, content: "How can I help?",
                            contentType: "text", contentAttributes: ["x": .bool(true)], private: false,
                            sender: .agent(acme.agent), attachments: [attachment(1)], echoID: "echo-9")))
            ])
        #expect(
            world.state.messages[1]
                == MessageRecord(
                    accountID: acme.account, conversationID: acme.conversation, messageType: .outgoing,
                    sender: .agent(acme.agent), isPrivate: false))
        let record = try #require(world.conversation(acme.conversation, in: acme.account))
        #expect(record.lastMessageID == 1)
        #expect(record.lastIncomingMessageID == 0)
    }

    @Test(arguments: [MessageType.outgoing, .template, .activity, .incoming])
    func contactMessagesAreAlwaysIncomingFromTheContact(type: MessageType) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .contact(acme.contact),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "hello", messageType: type)),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .contact(acme.contact), streams: acme.streams(contactSees: true),
                    body: .messageCreated(
                        MessageCreated(
                            messageID: 1, conversationID: acme.conversation, messageType: .incoming, content: "hello",
                            contentType: "text", contentAttributes: [:], private: false, sender: .contact(acme.contact),
                            attachments: [], echoID: nil)))
            ])
        #expect(world.conversation(acme.conversation, in: acme.account)?.lastIncomingMessageID == 1)
    }

    @Test func contactsCannotSendPrivateNotes() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .contact(acme.contact),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "psst", isPrivate: true)),
            in: acme.account, with: .forbidden("contacts have no private notes"))
    }

    @Test func privateNotesStayOffTheContactStream() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .user(acme.agent),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "VIP, be nice", isPrivate: true)),
            in: acme.account)
        #expect(events.count == 1)
        #expect(events.first?.streams == acme.streams(contactSees: false))
        #expect(events.first?.createdMessage?.private == true)
        #expect(events.first?.createdMessage?.messageType == .outgoing)
        #expect(world.state.messages[1]?.isPrivate == true)
    }

    /// Over a busy conversation, nothing private and no activity message is ever on the contact's stream.
    @Test func contactStreamNeverCarriesPrivateNotesOrActivity() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.admin), .createTeam(name: "Billing", description: ""), in: acme.account)
        try world.send("hi", as: .contact(acme.contact), to: acme.conversation, in: acme.account)
        try world.send("note", as: .user(acme.agent), to: acme.conversation, in: acme.account, isPrivate: true)
        try world.send("template note", as: .user(acme.agent), to: acme.conversation, in: acme.account, type: .template, isPrivate: true)
        try world.run(.user(acme.agent), .assign(conversationID: acme.conversation, assigneeID: acme.agent), in: acme.account)
        try world.run(.user(acme.agent), .assignTeam(conversationID: acme.conversation, teamID: 1), in: acme.account)
        try world.run(.user(acme.agent), .setLabels(conversationID: acme.conversation, labels: ["vip"]), in: acme.account)
        try world.run(.user(acme.agent), .setPriority(conversationID: acme.conversation, priority: .urgent), in: acme.account)
        try world.run(.user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: nil, snoozedUntil: nil), in: acme.account)
        try world.send("back", as: .contact(acme.contact), to: acme.conversation, in: acme.account)
        try world.run(.user(acme.agent), .typing(conversationID: acme.conversation, on: true, isPrivate: true), in: acme.account)
        let noteID = world.state.nextMessageID
        try world.send("edit me", as: .user(acme.agent), to: acme.conversation, in: acme.account, isPrivate: true)
        try world.run(
            .user(acme.agent), .updateMessage(conversationID: acme.conversation, messageID: noteID, content: "edited", contentAttributes: [:]),
            in: acme.account)
        try world.run(.user(acme.agent), .deleteMessage(conversationID: acme.conversation, messageID: noteID), in: acme.account)

        var hidden = 0
        for event in world.log {
            let isHidden: Bool
            switch event.body {
            case .messageCreated(let message): isHidden = message.private || message.messageType == .activity
            case .messageUpdated(let update): isHidden = world.state.messages[update.messageID]?.isPrivate == true
            case .messageDeleted(let deletion): isHidden = world.state.messages[deletion.messageID]?.isPrivate == true
            case .typingOn(let typing): isHidden = typing.isPrivate
            default: isHidden = false
            }
            if isHidden {
                hidden += 1
                #expect(!event.streams.contains(acme.contactStream), "\(event.body)")
            }
        }
        // 3 notes, 6 activity messages, a private typing indicator, an edit and a deletion of a note.
        #expect(hidden == 12)
    }

    @Test func agentsSendOutgoingTemplateOrPublicIncomingOnly() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let reason = DomainError.invalid(field: "message_type", reason: "agents send outgoing or template messages")
        world.refuse(
            .user(acme.agent),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "x", messageType: .activity)),
            in: acme.account, with: reason)
        world.refuse(
            .user(acme.agent),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "x", messageType: .incoming, isPrivate: true)),
            in: acme.account, with: reason)
        let template = try world.send("Menu", as: .user(acme.agent), to: acme.conversation, in: acme.account, type: .template)
        #expect(template.messageType == .template)
        #expect(template.sender == .agent(acme.agent))
    }

    @Test func parleySpeaksAsTheBot() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let message = try world.send("Out of office", as: .system, to: acme.conversation, in: acme.account)
        #expect(message.sender == .bot(0))
        #expect(message.messageType == .outgoing)
        world.refuse(
            .platform, .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "x")), in: acme.account,
            with: .forbidden("platform apps manage accounts and users only"))
    }

    // MARK: Limits (rule 7)

    @Test func contentAtMost150000Characters() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let longest = String(repeating: "a", count: 150_000)
        let sent = try world.send(longest, as: .user(acme.agent), to: acme.conversation, in: acme.account)
        #expect(sent.content.count == 150_000)
        world.refuse(
            .user(acme.agent),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: longest + "a")),
            in: acme.account, with: .contentTooLong(length: 150_001, limit: 150_000))
        world.refuse(
            .contact(acme.contact),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: longest + "é")),
            in: acme.account, with: .contentTooLong(length: 150_001, limit: 150_000))
    }

    @Test func atMost15Attachments() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let fifteen = (1...15).map(attachment)
        let events = try world.run(
            .contact(acme.contact),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "", attachments: fifteen)),
            in: acme.account)
        #expect(events.first?.createdMessage?.attachments == fifteen)
        world.refuse(
            .contact(acme.contact),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "", attachments: fifteen + [attachment(16)])),
            in: acme.account, with: .tooManyAttachments(count: 16, limit: 15))
    }

    @Test func messageNeedsContentOrAttachmentAndSaneFields() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "")),
            in: acme.account, with: .invalid(field: "content", reason: "a message needs content or an attachment"))
        let broken = [
            ParleyDomain.Attachment(fileType: .file, url: "", name: "a.pdf", size: 1),
            ParleyDomain.Attachment(fileType: .file, url: "https://x/a.pdf", name: "a.pdf", size: -1),
            ParleyDomain.Attachment(fileType: .file, url: "https://x/a.pdf", name: String(repeating: "n", count: 256), size: 1),
        ]
        for bad in broken {
            world.refuse(
                .user(acme.agent),
                .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "see file", attachments: [bad])),
                in: acme.account, with: .invalid(field: "attachments", reason: "each needs a url, a name and a size"))
        }
        world.refuse(
            .user(acme.agent),
            .sendMessage(
                conversationID: acme.conversation,
                message: NewMessage(content: "x", contentType: String(repeating: "t", count: 256))),
            in: acme.account, with: .invalid(field: "content_type", reason: "at most 255 characters"))
        world.refuse(
            .user(acme.agent),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "x", echoID: String(repeating: "e", count: 256))),
            in: acme.account, with: .invalid(field: "echo_id", reason: "at most 255 characters"))
    }

    @Test func twoHundredMessagesPerMinutePerConversation() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let start = world.now
        for index in 1...200 {
            let sender: Principal = index.isMultiple(of: 2) ? .user(acme.agent) : .contact(acme.contact)
            try world.send("message \(index)", as: sender, to: acme.conversation, in: acme.account)
        }
        let record = try #require(world.conversation(acme.conversation, in: acme.account))
        #expect(record.rateWindowStart == start)
        #expect(record.rateWindowCount == 200)

        let send = Action.sendMessage(conversationID: acme.conversation, message: NewMessage(content: "one too many"))
        world.refuse(.user(acme.agent), send, in: acme.account, with: .rateLimited(conversationID: acme.conversation))
        world.refuse(.contact(acme.contact), send, in: acme.account, with: .rateLimited(conversationID: acme.conversation))
        world.advance(milliseconds: 59_999)
        world.refuse(.user(acme.agent), send, in: acme.account, with: .rateLimited(conversationID: acme.conversation))

        // Another conversation has its own window.
        let second = try world.createConversation(
            in: acme.account, by: .user(acme.agent), inbox: acme.inbox, contact: acme.contact, sourceID: acme.sourceID)
        try world.send("elsewhere", as: .user(acme.agent), to: second, in: acme.account)

        world.advance(milliseconds: 1)
        let events = try world.run(.user(acme.agent), send, in: acme.account)
        #expect(events.map(\.type) == ["message.created"])
        let reset = try #require(world.conversation(acme.conversation, in: acme.account))
        #expect(reset.rateWindowStart == start + 60_000)
        #expect(reset.rateWindowCount == 1)
    }

    @Test func activityMessagesDoNotCountTowardTheRateLimit() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        for index in 1...198 {
            try world.send("message \(index)", as: .user(acme.agent), to: acme.conversation, in: acme.account)
        }
        // Activity: resolve, then the contact's 199th message reopens (status + activity + message).
        try world.run(.user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: nil, snoozedUntil: nil), in: acme.account)
        let reopen = try world.run(
            .contact(acme.contact), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "199")),
            in: acme.account)
        #expect(reopen.count == 3)
        try world.run(.user(acme.agent), .setPriority(conversationID: acme.conversation, priority: .high), in: acme.account)
        try world.run(.user(acme.agent), .setLabels(conversationID: acme.conversation, labels: ["busy"]), in: acme.account)
        #expect(world.conversation(acme.conversation, in: acme.account)?.rateWindowCount == 199)
        try world.send("200", as: .user(acme.agent), to: acme.conversation, in: acme.account)
        world.refuse(
            .user(acme.agent), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "201")),
            in: acme.account, with: .rateLimited(conversationID: acme.conversation))
        // Status changes still work while messages are limited.
        let resolved = try world.run(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: .resolved, snoozedUntil: nil),
            in: acme.account)
        #expect(resolved.map(\.type) == ["conversation.status_changed", "message.created"])
    }

    // MARK: Blocked contacts (rule 8)

    @Test func blockedContactCannotSendOrOpenConversations() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(
            .user(acme.agent),
            .updateContact(contactID: acme.contact, details: ContactDetails(name: acme.contactName, blocked: true)),
            in: acme.account)
        world.refuse(
            .contact(acme.contact), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "hello")),
            in: acme.account, with: .contactBlocked(contactID: acme.contact))
        world.refuse(
            .contact(acme.contact),
            .createConversation(
                NewConversation(
                    inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID, message: NewMessage(content: "hi"))),
            in: acme.account, with: .contactBlocked(contactID: acme.contact))
        // A blocked contact's message does not reopen a resolved conversation either.
        try world.setStatus(.resolved, of: acme.conversation, in: acme.account)
        world.refuse(
            .contact(acme.contact), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "again")),
            in: acme.account, with: .contactBlocked(contactID: acme.contact))
        #expect(world.conversation(acme.conversation, in: acme.account)?.status == .resolved)
        // Unblocked by an agent, the contact writes again.
        try world.run(
            .user(acme.agent),
            .updateContact(contactID: acme.contact, details: ContactDetails(name: acme.contactName, blocked: false)),
            in: acme.account)
        let events = try world.run(
            .contact(acme.contact), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "thanks")),
            in: acme.account)
        #expect(events.map(\.type) == ["conversation.status_changed", "message.created", "message.created"])
    }

    // MARK: Editing and deleting

    @Test func agentsEditTheirOwnMessagesAdministratorsAny() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.admin), .setInboxMembers(inboxID: acme.inbox, userIDs: [acme.agent, acme.outsider]), in: acme.account)
        let mine = try world.send("typo", as: .user(acme.agent), to: acme.conversation, in: acme.account)
        let events = try world.run(
            .user(acme.agent),
            .updateMessage(conversationID: acme.conversation, messageID: mine.messageID, content: "fixed", contentAttributes: ["edited": .bool(true)]),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: true),
                    body: .messageUpdated(
                        MessageUpdated(
                            messageID: mine.messageID, conversationID: acme.conversation, content: "fixed",
                            contentAttributes: ["edited": .bool(true)])))
            ])
        world.refuse(
            .user(acme.outsider),
            .updateMessage(conversationID: acme.conversation, messageID: mine.messageID, content: "mine now", contentAttributes: [:]),
            in: acme.account, with: .forbidden("agents change only their own messages"))
        try world.run(
            .user(acme.admin),
            .updateMessage(conversationID: acme.conversation, messageID: mine.messageID, content: "moderated", contentAttributes: [:]),
            in: acme.account)
        world.refuse(
            .user(acme.agent),
            .updateMessage(
                conversationID: acme.conversation, messageID: mine.messageID, content: String(repeating: "a", count: 150_001),
                contentAttributes: [:]),
            in: acme.account, with: .contentTooLong(length: 150_001, limit: 150_000))
        let theirs = try world.send("from contact", as: .contact(acme.contact), to: acme.conversation, in: acme.account)
        world.refuse(
            .user(acme.agent), .deleteMessage(conversationID: acme.conversation, messageID: theirs.messageID), in: acme.account,
            with: .forbidden("agents change only their own messages"))
        world.refuse(
            .contact(acme.contact), .deleteMessage(conversationID: acme.conversation, messageID: theirs.messageID),
            in: acme.account, with: .forbidden("agents only"))
    }

    @Test func deletingIsSoftAndFinal() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let note = try world.send("secret", as: .user(acme.agent), to: acme.conversation, in: acme.account, isPrivate: true)
        let events = try world.run(
            .user(acme.agent), .deleteMessage(conversationID: acme.conversation, messageID: note.messageID), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: false),
                    body: .messageDeleted(MessageDeleted(messageID: note.messageID, conversationID: acme.conversation)))
            ])
        #expect(world.state.messages[note.messageID]?.deleted == true)
        let gone = DomainError.invalid(field: "message", reason: "message \(note.messageID) was deleted")
        world.refuse(
            .user(acme.agent), .deleteMessage(conversationID: acme.conversation, messageID: note.messageID), in: acme.account,
            with: gone)
        world.refuse(
            .user(acme.agent),
            .updateMessage(conversationID: acme.conversation, messageID: note.messageID, content: "back", contentAttributes: [:]),
            in: acme.account, with: gone)
    }

    @Test func activityAndUnknownMessagesCannotBeChanged() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.agent), .setPriority(conversationID: acme.conversation, priority: .low), in: acme.account)
        let activityID = world.state.nextMessageID - 1
        world.refuse(
            .user(acme.admin), .deleteMessage(conversationID: acme.conversation, messageID: activityID), in: acme.account,
            with: .forbidden("activity messages cannot be changed"))
        world.refuse(
            .user(acme.admin), .deleteMessage(conversationID: acme.conversation, messageID: 999), in: acme.account,
            with: .notFound("message 999"))
        // A message of another conversation of the same account is not found through this one.
        let second = try world.createConversation(
            in: acme.account, by: .user(acme.agent), inbox: acme.inbox, contact: acme.contact, sourceID: acme.sourceID)
        let elsewhere = try world.send("other thread", as: .user(acme.agent), to: second, in: acme.account)
        world.refuse(
            .user(acme.agent), .deleteMessage(conversationID: acme.conversation, messageID: elsewhere.messageID),
            in: acme.account, with: .notFound("message \(elsewhere.messageID)"))
    }
}
