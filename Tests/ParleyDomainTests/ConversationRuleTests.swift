import Testing

@testable import ParleyDomain

/// Conversations: creation and ids, status, assignment, team, priority,
/// labels, attributes, CSAT, typing and read markers.
@Suite struct ConversationRuleTests {
    // MARK: Creation and ids

    @Test func agentCreatesConversationInTheirInbox() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .user(acme.agent),
            .createConversation(
                NewConversation(
                    inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID, status: .pending,
                    customAttributes: ["order": .number(42)])),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(2, contactSees: true),
                    body: .conversationCreated(
                        ConversationCreated(
                            conversationID: 2, inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID,
                            status: .pending, assigneeID: nil, teamID: nil, priority: nil, labels: [],
                            customAttributes: ["order": .number(42)])))
            ])
        let record = try #require(world.conversation(2, in: acme.account))
        #expect(record.status == .pending)
        #expect(record.contactID == acme.contact)
        #expect(record.inboxID == acme.inbox)
        #expect(record.customAttributes == ["order": .number(42)])
        #expect(record.lastMessageID == 0)
    }

    @Test func assigneeAndTeamAtCreationNotifyTheAssignee() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.admin), .createTeam(name: "Billing", description: ""), in: acme.account)
        let events = try world.run(
            .user(acme.agent),
            .createConversation(
                NewConversation(
                    inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID, assigneeID: acme.agent, teamID: 1)),
            in: acme.account)
        #expect(events.count == 1)
        #expect(events.first?.streams == acme.streams(2, contactSees: true) + [StreamNames.user(acme.agent)])
        let record = try #require(world.conversation(2, in: acme.account))
        #expect(record.assigneeID == acme.agent)
        #expect(record.teamID == 1)

        world.refuse(
            .user(acme.agent),
            .createConversation(
                NewConversation(inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID, assigneeID: acme.outsider)),
            in: acme.account,
            with: .invalid(field: "assignee_id", reason: "user \(acme.outsider) is not a member of inbox \(acme.inbox)"))
        world.refuse(
            .user(acme.agent),
            .createConversation(NewConversation(inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID, teamID: 9)),
            in: acme.account, with: .notFound("team 9"))
    }

    @Test(arguments: [ConversationStatus.resolved, .snoozed])
    func conversationStartsOpenOrPending(status: ConversationStatus) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent),
            .createConversation(NewConversation(inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID, status: status)),
            in: acme.account, with: .invalid(field: "status", reason: "a conversation starts open or pending"))
    }

    @Test func newSourceIDCreatesTheContactInbox() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .user(acme.agent),
            .createConversation(NewConversation(inboxID: acme.inbox, contactID: acme.contact, sourceID: "fresh-source")),
            in: acme.account)
        #expect(events.map(\.type) == ["contact_inbox.created", "conversation.created"])
        #expect(
            events.first
                == DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: ["account:1", acme.contactStream],
                    body: .contactInboxCreated(ContactInboxCreated(contactID: acme.contact, inboxID: acme.inbox, sourceID: "fresh-source"))))
        #expect(world.state.accounts[acme.account]?.contactInboxes[InboxSource(inboxID: acme.inbox, sourceID: "fresh-source")] == acme.contact)
        // The existing source id creates no second contact inbox.
        let again = try world.run(
            .user(acme.agent),
            .createConversation(NewConversation(inboxID: acme.inbox, contactID: acme.contact, sourceID: "fresh-source")),
            in: acme.account)
        #expect(again.map(\.type) == ["conversation.created"])
    }

    @Test func sourceIDOfAnotherContactIsAConflict() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let other = try world.createContact("Other", in: acme.account, by: .user(acme.agent), inbox: acme.inbox, sourceID: "other-1")
        world.refuse(
            .user(acme.agent),
            .createConversation(NewConversation(inboxID: acme.inbox, contactID: other, sourceID: acme.sourceID)),
            in: acme.account, with: .conflict("source id \(acme.sourceID)"))
        world.refuse(
            .user(acme.agent),
            .createConversation(NewConversation(inboxID: acme.inbox, contactID: other, sourceID: "")),
            in: acme.account, with: .invalid(field: "source_id", reason: "must not be empty"))
    }

    @Test func displayIDsCountPerAccountFromOne() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let globex = try world.tenant("Globex")
        #expect(acme.conversation == 1)
        #expect(globex.conversation == 1)
        func open(_ tenant: Tenant) throws -> UInt64 {
            try world.createConversation(
                in: tenant.account, by: .user(tenant.agent), inbox: tenant.inbox, contact: tenant.contact,
                sourceID: tenant.sourceID)
        }
        #expect(try open(acme) == 2)
        #expect(try open(acme) == 3)
        #expect(try open(globex) == 2)
        #expect(try open(acme) == 4)
        #expect(world.state.accounts[acme.account]?.nextDisplayID == 5)
        #expect(world.state.accounts[globex.account]?.nextDisplayID == 3)
    }

    @Test func messageIDsAreGlobal() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let globex = try world.tenant("Globex")
        let a1 = try world.send("a1", as: .user(acme.agent), to: acme.conversation, in: acme.account)
        let g1 = try world.send("g1", as: .user(globex.agent), to: globex.conversation, in: globex.account)
        try world.run(.user(acme.agent), .setPriority(conversationID: acme.conversation, priority: .low), in: acme.account)
        let g2 = try world.send("g2", as: .contact(globex.contact), to: globex.conversation, in: globex.account)
        #expect([a1.messageID, g1.messageID, g2.messageID] == [1, 2, 4])
        #expect(world.state.messages[3]?.messageType == .activity)
        #expect(world.state.messages[3]?.accountID == acme.account)
        #expect(world.state.nextMessageID == 5)
    }

    @Test func contactOpensItsOwnConversationWithAMessage() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .contact(acme.contact),
            .createConversation(
                NewConversation(
                    inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID,
                    message: NewMessage(content: "Hi, I need help", messageType: .outgoing, echoID: "echo-1"))),
            in: acme.account)
        #expect(events.map(\.type) == ["conversation.created", "message.created"])
        #expect(events.allSatisfy { $0.actor == .contact(acme.contact) })
        #expect(
            events.last
                == DomainEvent(
                    accountID: acme.account, actor: .contact(acme.contact), streams: acme.streams(2, contactSees: true),
                    body: .messageCreated(
                        MessageCreated(
                            messageID: 1, conversationID: 2, messageType: .incoming, content: "Hi, I need help",
                            contentType: "text", contentAttributes: [:], private: false, sender: .contact(acme.contact),
                            attachments: [], echoID: "echo-1"))))
        let record = try #require(world.conversation(2, in: acme.account))
        #expect(record.lastMessageID == 1)
        #expect(record.lastIncomingMessageID == 1)
    }

    @Test func contactCannotOpenConversationsForOthersOrAssign() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let other = try world.createContact("Other", in: acme.account, by: .user(acme.agent), inbox: acme.inbox, sourceID: "other-1")
        world.refuse(
            .contact(acme.contact),
            .createConversation(NewConversation(inboxID: acme.inbox, contactID: other, sourceID: "other-1")),
            in: acme.account, with: .notFound("contact \(other)"))
        world.refuse(
            .contact(acme.contact),
            .createConversation(
                NewConversation(inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID, assigneeID: acme.agent)),
            in: acme.account, with: .forbidden("contacts cannot assign"))
    }

    // MARK: Status (rule 2)

    @Test func toggleWithoutStatusResolvesAnOpenConversation() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let next = world.state.nextMessageID
        let events = try world.run(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: nil, snoozedUntil: nil), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: true),
                    body: .statusChanged(
                        ConversationStatusChanged(
                            conversationID: acme.conversation, status: .resolved, previousStatus: .open, snoozedUntil: nil))),
                acme.activity("Conversation was marked resolved by Acme Agent", messageID: next, by: .agent(acme.agent)),
            ])
        #expect(world.conversation(acme.conversation, in: acme.account)?.status == .resolved)
    }

    @Test(arguments: [ConversationStatus.resolved, .pending, .snoozed])
    func toggleWithoutStatusReopens(from status: ConversationStatus) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.setStatus(status, of: acme.conversation, in: acme.account)
        let next = world.state.nextMessageID
        let events = try world.run(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: nil, snoozedUntil: nil), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: true),
                    body: .statusChanged(
                        ConversationStatusChanged(
                            conversationID: acme.conversation, status: .open, previousStatus: status, snoozedUntil: nil))),
                acme.activity("Conversation was reopened by Acme Agent", messageID: next, by: .agent(acme.agent)),
            ])
        #expect(world.conversation(acme.conversation, in: acme.account)?.status == .open)
    }

    @Test func explicitStatusWinsOverTheToggle() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        // Open, asked for open: stays open (no toggle to resolved).
        try world.expectNoChange(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: .open, snoozedUntil: nil), in: acme.account)
        let pending = try world.run(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: .pending, snoozedUntil: nil), in: acme.account)
        #expect(pending.first?.statusChange == ConversationStatusChanged(conversationID: acme.conversation, status: .pending, previousStatus: .open, snoozedUntil: nil))
        let resolved = try world.run(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: .resolved, snoozedUntil: nil), in: acme.account)
        #expect(resolved.first?.statusChange == ConversationStatusChanged(conversationID: acme.conversation, status: .resolved, previousStatus: .pending, snoozedUntil: nil))
        // Resolved, asked for resolved: stays resolved (no toggle to open).
        try world.expectNoChange(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: .resolved, snoozedUntil: nil), in: acme.account)
        #expect(world.conversation(acme.conversation, in: acme.account)?.status == .resolved)
    }

    @Test(arguments: ConversationStatus.allCases)
    func settingTheCurrentStatusAgainEmitsNothing(status: ConversationStatus) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        if status != .open { try world.setStatus(status, of: acme.conversation, in: acme.account) }
        try world.expectNoChange(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: status, snoozedUntil: nil), in: acme.account)
    }

    @Test func snoozeUntilAFutureTime() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let until = world.nowSeconds + 3600
        let next = world.state.nextMessageID
        let events = try world.run(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: .snoozed, snoozedUntil: until),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: true),
                    body: .statusChanged(
                        ConversationStatusChanged(
                            conversationID: acme.conversation, status: .snoozed, previousStatus: .open, snoozedUntil: until))),
                acme.activity("Conversation was snoozed by Acme Agent", messageID: next, by: .agent(acme.agent)),
            ])
        let record = try #require(world.conversation(acme.conversation, in: acme.account))
        #expect(record.status == .snoozed)
        #expect(record.snoozedUntil == until)
        // The same snooze again changes nothing; a new time does.
        try world.expectNoChange(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: .snoozed, snoozedUntil: until),
            in: acme.account)
        let later = try world.run(
            .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: .snoozed, snoozedUntil: until + 60),
            in: acme.account)
        #expect(later.first?.statusChange == ConversationStatusChanged(conversationID: acme.conversation, status: .snoozed, previousStatus: .snoozed, snoozedUntil: until + 60))
        #expect(world.conversation(acme.conversation, in: acme.account)?.snoozedUntil == until + 60)
    }

    @Test func snoozeUntilNowOrThePastIsRefused() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        for until in [world.nowSeconds, world.nowSeconds - 1, 0] {
            world.refuse(
                .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: .snoozed, snoozedUntil: until),
                in: acme.account, with: .invalid(field: "snoozed_until", reason: "must be in the future"))
        }
    }

    @Test func snoozedUntilOnlyWithStatusSnoozed() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let until = world.nowSeconds + 3600
        let statuses: [ConversationStatus?] = [.open, .resolved, .pending, nil]
        for status in statuses {
            world.refuse(
                .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: status, snoozedUntil: until),
                in: acme.account, with: .invalid(field: "snoozed_until", reason: "only for status snoozed"))
        }
    }

    /// `snoozed_until` comes from the client; a value past UInt64.max / 1000
    /// must be refused, not overflow `snoozedUntil * 1000` and trap.
    @Test func farFutureSnoozeDoesNotCrash() async {
        await #expect(processExitsWith: .success) {
            var state = DomainState()
            let setup: [(Principal, Action, UInt64)] = [
                (.platform, .createAccount(name: "Acme", locale: "en"), Platform.accountID),
                (.system, .createInbox(channelType: .api, inboxIdentifier: "i", hmacToken: "h", settings: InboxSettings(name: "S")), 1),
                (.system, .createContact(details: ContactDetails(name: "C"), inbox: nil), 1),
                (.system, .createConversation(NewConversation(inboxID: 1, contactID: 1, sourceID: "s")), 1),
            ]
            for (principal, action, account) in setup {
                let command = Command(accountID: account, principal: principal, action: action)
                for event in try Decider.decide(command, state: state, now: 1_700_000_000_000) {
                    state.apply(event, at: 1_700_000_000_000)
                }
            }
            let snooze = Command(
                accountID: 1, principal: .system,
                action: .toggleStatus(conversationID: 1, status: .snoozed, snoozedUntil: UInt64.max / 1000 + 1))
            _ = try? Decider.decide(snooze, state: state, now: 1_700_000_000_000)
        }
    }

    @Test func contactMayOnlyResolveOrToggle() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        for status in [ConversationStatus.open, .pending, .snoozed] {
            world.refuse(
                .contact(acme.contact), .toggleStatus(conversationID: acme.conversation, status: status, snoozedUntil: nil),
                in: acme.account, with: .forbidden("contacts can only resolve"))
        }
        let next = world.state.nextMessageID
        let events = try world.run(
            .contact(acme.contact), .toggleStatus(conversationID: acme.conversation, status: .resolved, snoozedUntil: nil),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .contact(acme.contact), streams: acme.streams(contactSees: true),
                    body: .statusChanged(
                        ConversationStatusChanged(
                            conversationID: acme.conversation, status: .resolved, previousStatus: .open, snoozedUntil: nil))),
                acme.activity("Conversation was marked resolved by Acme Customer", messageID: next, by: .contact(acme.contact)),
            ])
    }

    // MARK: Incoming messages reopen (rule 3)

    @Test(arguments: [ConversationStatus.resolved, .snoozed])
    func incomingMessageReopens(from status: ConversationStatus) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.setStatus(
            status, of: acme.conversation, in: acme.account, snoozedUntil: status == .snoozed ? world.nowSeconds + 600 : nil)
        let next = world.state.nextMessageID
        let events = try world.run(
            .contact(acme.contact), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "Back again")),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .contact(acme.contact), streams: acme.streams(contactSees: true),
                    body: .statusChanged(
                        ConversationStatusChanged(
                            conversationID: acme.conversation, status: .open, previousStatus: status, snoozedUntil: nil))),
                acme.activity("Conversation was reopened", messageID: next, by: .contact(acme.contact)),
                DomainEvent(
                    accountID: acme.account, actor: .contact(acme.contact), streams: acme.streams(contactSees: true),
                    body: .messageCreated(
                        MessageCreated(
                            messageID: next + 1, conversationID: acme.conversation, messageType: .incoming,
                            content: "Back again", contentType: "text", contentAttributes: [:], private: false,
                            sender: .contact(acme.contact), attachments: [], echoID: nil))),
            ])
        let record = try #require(world.conversation(acme.conversation, in: acme.account))
        #expect(record.status == .open)
        #expect(record.snoozedUntil == nil)
        #expect(record.lastMessageID == next + 1)
        #expect(record.lastIncomingMessageID == next + 1)
    }

    @Test func incomingMessageEnteredByAnAgentReopensToo() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.setStatus(.resolved, of: acme.conversation, in: acme.account)
        let events = try world.run(
            .user(acme.agent),
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "from the CRM", messageType: .incoming)),
            in: acme.account)
        #expect(events.map(\.type) == ["conversation.status_changed", "message.created", "message.created"])
        #expect(events.last?.createdMessage?.sender == .contact(acme.contact))
        #expect(world.conversation(acme.conversation, in: acme.account)?.status == .open)
    }

    @Test(arguments: [ConversationStatus.open, .pending])
    func incomingMessageLeavesOpenAndPendingAlone(status: ConversationStatus) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        if status != .open { try world.setStatus(status, of: acme.conversation, in: acme.account) }
        let events = try world.run(
            .contact(acme.contact), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "Hello")),
            in: acme.account)
        #expect(events.map(\.type) == ["message.created"])
        #expect(world.conversation(acme.conversation, in: acme.account)?.status == status)
    }

    @Test func outgoingMessageDoesNotReopen() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.setStatus(.resolved, of: acme.conversation, in: acme.account)
        let events = try world.run(
            .user(acme.agent), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "Follow-up")),
            in: acme.account)
        #expect(events.map(\.type) == ["message.created"])
        #expect(world.conversation(acme.conversation, in: acme.account)?.status == .resolved)
    }

    // MARK: Activity messages (rule 4)

    @Test func statusActivityTexts() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let steps: [(ConversationStatus, String)] = [
            (.pending, "Conversation was marked as pending by Acme Agent"),
            (.snoozed, "Conversation was snoozed by Acme Agent"),
            (.resolved, "Conversation was marked resolved by Acme Agent"),
            (.open, "Conversation was reopened by Acme Agent"),
        ]
        for (status, text) in steps {
            let next = world.state.nextMessageID
            let events = try world.run(
                .user(acme.agent), .toggleStatus(conversationID: acme.conversation, status: status, snoozedUntil: nil),
                in: acme.account)
            #expect(events.last == acme.activity(text, messageID: next, by: .agent(acme.agent)))
        }
        // Parley itself (a snooze timer) is not named.
        try world.setStatus(.snoozed, of: acme.conversation, in: acme.account)
        let next = world.state.nextMessageID
        let woken = try world.run(
            .system, .toggleStatus(conversationID: acme.conversation, status: .open, snoozedUntil: nil), in: acme.account)
        #expect(woken.last == acme.activity("Conversation was reopened", messageID: next, by: .system))
    }

    @Test func assignmentActivityAndStreams() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        var next = world.state.nextMessageID
        let assigned = try world.run(
            .user(acme.agent), .assign(conversationID: acme.conversation, assigneeID: acme.agent), in: acme.account)
        #expect(
            assigned == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent),
                    streams: acme.streams(contactSees: false) + [StreamNames.user(acme.agent)],
                    body: .assigneeChanged(AssigneeChanged(conversationID: acme.conversation, assigneeID: acme.agent, previousAssigneeID: nil))),
                acme.activity("Assigned to Acme Agent by Acme Agent", messageID: next, by: .agent(acme.agent)),
            ])
        next = world.state.nextMessageID
        let reassigned = try world.run(
            .user(acme.admin), .assign(conversationID: acme.conversation, assigneeID: acme.admin), in: acme.account)
        #expect(reassigned.first?.streams == acme.streams(contactSees: false) + [StreamNames.user(acme.admin), StreamNames.user(acme.agent)])
        #expect(reassigned.last == acme.activity("Assigned to Acme Admin by Acme Admin", messageID: next, by: .agent(acme.admin)))
        next = world.state.nextMessageID
        let unassigned = try world.run(
            .user(acme.admin), .assign(conversationID: acme.conversation, assigneeID: nil), in: acme.account)
        #expect(
            unassigned == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.admin),
                    streams: acme.streams(contactSees: false) + [StreamNames.user(acme.admin)],
                    body: .assigneeChanged(AssigneeChanged(conversationID: acme.conversation, assigneeID: nil, previousAssigneeID: acme.admin))),
                acme.activity("Conversation unassigned by Acme Admin", messageID: next, by: .agent(acme.admin)),
            ])
        #expect(world.conversation(acme.conversation, in: acme.account)?.assigneeID == nil)
        try world.expectNoChange(.user(acme.admin), .assign(conversationID: acme.conversation, assigneeID: nil), in: acme.account)
    }

    @Test func assigneeMustWorkInTheInbox() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent), .assign(conversationID: acme.conversation, assigneeID: acme.outsider), in: acme.account,
            with: .invalid(field: "assignee_id", reason: "user \(acme.outsider) is not a member of inbox \(acme.inbox)"))
        world.refuse(
            .user(acme.agent), .assign(conversationID: acme.conversation, assigneeID: 99), in: acme.account,
            with: .notFound("user 99"))
        try world.run(.user(acme.agent), .assign(conversationID: acme.conversation, assigneeID: acme.agent), in: acme.account)
        try world.expectNoChange(
            .user(acme.agent), .assign(conversationID: acme.conversation, assigneeID: acme.agent), in: acme.account)
    }

    @Test func teamActivity() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.admin), .createTeam(name: "Billing", description: ""), in: acme.account)
        var next = world.state.nextMessageID
        let assigned = try world.run(.user(acme.agent), .assignTeam(conversationID: acme.conversation, teamID: 1), in: acme.account)
        #expect(
            assigned == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: false),
                    body: .teamChanged(TeamChanged(conversationID: acme.conversation, teamID: 1, previousTeamID: nil))),
                acme.activity("Assigned to team Billing by Acme Agent", messageID: next, by: .agent(acme.agent)),
            ])
        #expect(world.conversation(acme.conversation, in: acme.account)?.teamID == 1)
        try world.expectNoChange(.user(acme.agent), .assignTeam(conversationID: acme.conversation, teamID: 1), in: acme.account)
        next = world.state.nextMessageID
        let removed = try world.run(.user(acme.agent), .assignTeam(conversationID: acme.conversation, teamID: nil), in: acme.account)
        #expect(removed.last == acme.activity("Unassigned from team by Acme Agent", messageID: next, by: .agent(acme.agent)))
        world.refuse(
            .user(acme.agent), .assignTeam(conversationID: acme.conversation, teamID: 5), in: acme.account,
            with: .notFound("team 5"))
    }

    @Test func labelActivity() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        var next = world.state.nextMessageID
        let first = try world.run(
            .user(acme.agent), .setLabels(conversationID: acme.conversation, labels: ["VIP", "billing", "vip"]), in: acme.account)
        #expect(
            first == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: false),
                    body: .labelsChanged(
                        LabelsChanged(conversationID: acme.conversation, labels: ["vip", "billing"], added: ["vip", "billing"], removed: []))),
                acme.activity("Acme Agent added vip, billing", messageID: next, by: .agent(acme.agent)),
            ])
        #expect(world.conversation(acme.conversation, in: acme.account)?.labels == ["vip", "billing"])
        next = world.state.nextMessageID
        let second = try world.run(
            .user(acme.agent), .setLabels(conversationID: acme.conversation, labels: ["billing", "urgent"]), in: acme.account)
        #expect(second.first?.body == .labelsChanged(LabelsChanged(conversationID: acme.conversation, labels: ["billing", "urgent"], added: ["urgent"], removed: ["vip"])))
        #expect(second.last == acme.activity("Acme Agent added urgent and removed vip", messageID: next, by: .agent(acme.agent)))
        // The same set in another order changes nothing.
        try world.expectNoChange(
            .user(acme.agent), .setLabels(conversationID: acme.conversation, labels: ["URGENT", "billing"]), in: acme.account)
        next = world.state.nextMessageID
        let cleared = try world.run(.system, .setLabels(conversationID: acme.conversation, labels: []), in: acme.account)
        #expect(cleared.last == acme.activity("Parley removed billing, urgent", messageID: next, by: .system))
    }

    @Test func labelsAreValidatedAndCapped() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent), .setLabels(conversationID: acme.conversation, labels: ["ok", "not ok"]), in: acme.account,
            with: .invalid(field: "labels", reason: "\"not ok\": use letters, digits, - and _"))
        world.refuse(
            .user(acme.agent), .setLabels(conversationID: acme.conversation, labels: (0...100).map { "l\($0)" }),
            in: acme.account, with: .invalid(field: "labels", reason: "at most 100 labels"))
        let events = try world.run(
            .user(acme.agent), .setLabels(conversationID: acme.conversation, labels: (1...100).map { "l\($0)" }),
            in: acme.account)
        #expect(events.map(\.type) == ["conversation.labels_changed", "message.created"])
    }

    @Test func priorityActivity() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        var next = world.state.nextMessageID
        let set = try world.run(.user(acme.agent), .setPriority(conversationID: acme.conversation, priority: .high), in: acme.account)
        #expect(
            set == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: false),
                    body: .priorityChanged(PriorityChanged(conversationID: acme.conversation, priority: .high, previousPriority: nil))),
                acme.activity("Priority set to high by Acme Agent", messageID: next, by: .agent(acme.agent)),
            ])
        #expect(world.conversation(acme.conversation, in: acme.account)?.priority == .high)
        try world.expectNoChange(.user(acme.agent), .setPriority(conversationID: acme.conversation, priority: .high), in: acme.account)
        next = world.state.nextMessageID
        let removed = try world.run(.user(acme.agent), .setPriority(conversationID: acme.conversation, priority: nil), in: acme.account)
        #expect(removed.first?.body == .priorityChanged(PriorityChanged(conversationID: acme.conversation, priority: nil, previousPriority: .high)))
        #expect(removed.last == acme.activity("Priority removed by Acme Agent", messageID: next, by: .agent(acme.agent)))
    }

    @Test func activityMessagesAreRecordedAsActivity() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.agent), .setPriority(conversationID: acme.conversation, priority: .urgent), in: acme.account)
        let id = world.state.nextMessageID - 1
        #expect(
            world.state.messages[id]
                == MessageRecord(
                    accountID: acme.account, conversationID: acme.conversation, messageType: .activity, sender: nil,
                    isPrivate: false))
        let record = try #require(world.conversation(acme.conversation, in: acme.account))
        #expect(record.lastMessageID == id)
        #expect(record.rateWindowCount == 0)
    }

    // MARK: Attributes and CSAT

    @Test func customAttributesAreReplaced() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .user(acme.agent), .setCustomAttributes(conversationID: acme.conversation, attributes: ["tier": .string("gold")]),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: false),
                    body: .customAttributesChanged(CustomAttributesChanged(conversationID: acme.conversation, customAttributes: ["tier": .string("gold")])))
            ])
        #expect(world.conversation(acme.conversation, in: acme.account)?.customAttributes == ["tier": .string("gold")])
        try world.expectNoChange(
            .user(acme.agent), .setCustomAttributes(conversationID: acme.conversation, attributes: ["tier": .string("gold")]),
            in: acme.account)
    }

    @Test func contactRatesItsConversation() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .contact(acme.contact), .submitCSAT(conversationID: acme.conversation, rating: 5, feedback: "Great"), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .contact(acme.contact), streams: acme.streams(contactSees: true),
                    body: .csatSubmitted(CSATSubmitted(conversationID: acme.conversation, rating: 5, feedback: "Great")))
            ])
        #expect(world.conversation(acme.conversation, in: acme.account)?.csatRating == 5)
        for rating in [0, 6] {
            world.refuse(
                .contact(acme.contact), .submitCSAT(conversationID: acme.conversation, rating: rating, feedback: ""),
                in: acme.account, with: .invalid(field: "rating", reason: "must be 1 to 5"))
        }
        world.refuse(
            .contact(acme.contact),
            .submitCSAT(conversationID: acme.conversation, rating: 3, feedback: String(repeating: "f", count: 1001)),
            in: acme.account, with: .invalid(field: "feedback", reason: "at most 1000 characters"))
        world.refuse(
            .user(acme.agent), .submitCSAT(conversationID: acme.conversation, rating: 5, feedback: ""), in: acme.account,
            with: .forbidden("contacts rate their conversations"))
        // One response per conversation.
        world.refuse(
            .contact(acme.contact), .submitCSAT(conversationID: acme.conversation, rating: 1, feedback: ""), in: acme.account,
            with: .conflict("CSAT response for conversation \(acme.conversation)"))
    }

    // MARK: Read markers (rule 9)

    @Test func markReadMovesTheCursorToTheLastMessage() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let empty = try world.run(.user(acme.agent), .markRead(conversationID: acme.conversation), in: acme.account)
        #expect(empty.first?.body == .conversationRead(ConversationRead(conversationID: acme.conversation, participant: Participant(type: .user, id: acme.agent), lastReadMessageID: 0)))

        try world.send("question", as: .contact(acme.contact), to: acme.conversation, in: acme.account)
        try world.send("answer", as: .user(acme.agent), to: acme.conversation, in: acme.account)
        try world.send("note", as: .user(acme.agent), to: acme.conversation, in: acme.account, isPrivate: true)
        let last = try #require(world.conversation(acme.conversation, in: acme.account)).lastMessageID
        #expect(last == 3)

        let before = world.state
        let userRead = try world.run(.user(acme.agent), .markRead(conversationID: acme.conversation), in: acme.account)
        #expect(
            userRead == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: [StreamNames.user(acme.agent)],
                    body: .conversationRead(
                        ConversationRead(
                            conversationID: acme.conversation, participant: Participant(type: .user, id: acme.agent),
                            lastReadMessageID: last)))
            ])
        let contactRead = try world.run(.contact(acme.contact), .markRead(conversationID: acme.conversation), in: acme.account)
        #expect(
            contactRead == [
                DomainEvent(
                    accountID: acme.account, actor: .contact(acme.contact), streams: acme.streams(contactSees: true),
                    body: .conversationRead(
                        ConversationRead(
                            conversationID: acme.conversation, participant: Participant(type: .contact, id: acme.contact),
                            lastReadMessageID: last)))
            ])
        #expect(world.state == before)
        world.refuse(
            .system, .markRead(conversationID: acme.conversation), in: acme.account,
            with: .forbidden("only participants read conversations"))
    }

    @Test func markUnreadMovesBeforeTheLastIncomingMessage() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let none = try world.run(.user(acme.agent), .markUnread(conversationID: acme.conversation), in: acme.account)
        #expect(none.first?.body == .markedUnread(ConversationMarkedUnread(conversationID: acme.conversation, userID: acme.agent, lastReadMessageID: 0)))

        try world.send("welcome", as: .user(acme.agent), to: acme.conversation, in: acme.account)
        let incoming = try world.send("help", as: .contact(acme.contact), to: acme.conversation, in: acme.account)
        try world.send("on it", as: .user(acme.agent), to: acme.conversation, in: acme.account)
        let events = try world.run(.user(acme.admin), .markUnread(conversationID: acme.conversation), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.admin), streams: [StreamNames.user(acme.admin)],
                    body: .markedUnread(
                        ConversationMarkedUnread(
                            conversationID: acme.conversation, userID: acme.admin, lastReadMessageID: incoming.messageID - 1)))
            ])
        #expect(incoming.messageID == 2)
        world.refuse(
            .contact(acme.contact), .markUnread(conversationID: acme.conversation), in: acme.account,
            with: .forbidden("agents only"))
    }

    // MARK: Typing (rule 10)

    @Test func typingIsEphemeralAndPublicTypingReachesTheContact() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let before = world.state
        let on = try world.run(
            .user(acme.agent), .typing(conversationID: acme.conversation, on: true, isPrivate: false), in: acme.account)
        #expect(
            on == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: true),
                    ephemeral: true, body: .typingOn(TypingOn(conversationID: acme.conversation, isPrivate: false)))
            ])
        let off = try world.run(
            .user(acme.agent), .typing(conversationID: acme.conversation, on: false, isPrivate: false), in: acme.account)
        #expect(
            off == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: true),
                    ephemeral: true, body: .typingOff(TypingOff(conversationID: acme.conversation, isPrivate: false)))
            ])
        #expect(world.state == before)
    }

    @Test func privateTypingStaysOffTheContactStream() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .user(acme.agent), .typing(conversationID: acme.conversation, on: true, isPrivate: true), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: acme.streams(contactSees: false),
                    ephemeral: true, body: .typingOn(TypingOn(conversationID: acme.conversation, isPrivate: true)))
            ])
        #expect(!(events.first?.streams.contains(acme.contactStream) ?? true))
    }

    @Test func contactTypingIsEphemeralAndNeverPrivate() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .contact(acme.contact), .typing(conversationID: acme.conversation, on: true, isPrivate: false), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .contact(acme.contact), streams: acme.streams(contactSees: false),
                    ephemeral: true, body: .typingOn(TypingOn(conversationID: acme.conversation, isPrivate: false)))
            ])
        world.refuse(
            .contact(acme.contact), .typing(conversationID: acme.conversation, on: true, isPrivate: true), in: acme.account,
            with: .forbidden("contacts have no private notes"))
    }
}
