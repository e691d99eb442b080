import Testing

@testable import ParleyDomain

/// The decider's automation rules: a trigger handled once, the greeting on
/// the first incoming message only, FAQ entries validated, auto-assignment
/// by capacity with its queue, and the waiting notification sent once.
@Suite struct AutomationRuleTests {
    /// Reacts to the last event of `world`'s log (of `type` when given) as if it were at `offset`.
    static func react(
        _ world: inout World, account: UInt64, offset: UInt64, online: Set<UInt64> = [], type: String? = nil
    ) throws -> [DomainEvent] {
        let trigger = try #require(world.log.last { type == nil || $0.type == type })
        let reaction = Reaction(
            triggerOffset: offset, triggerTime: world.now, trigger: trigger, onlineUsers: online, faqConfidence: 0.7)
        return try world.run(.bot, .react(reaction), in: account)
    }

    static func greetingSettings() -> InboxSettings {
        InboxSettings(name: "Greeting", greetingEnabled: true, greetingMessage: "Welcome!")
    }

    @Test func aTriggerIsHandledOnceAndOnlyTheFirstIncomingMessageIsGreeted() throws {
        var world = World()
        let t = try world.tenant("G")
        try world.run(.user(t.admin), .updateInbox(inboxID: t.inbox, settings: Self.greetingSettings()), in: t.account)
        try world.send("hi", as: .contact(t.contact), to: t.conversation, in: t.account)
        let reaction = try Self.react(&world, account: t.account, offset: 10)
        #expect(reaction.map(\.type) == ["message.created", "automation.reacted"])
        #expect(reaction.first?.createdMessage?.messageType == .template)
        #expect(reaction.first?.createdMessage?.sender == .bot(0) && reaction.first?.actor == .bot(0))
        #expect(world.state.automation.cursor == 10)
        // The same trigger again (a restart that re-reads it), or an older one: nothing.
        world.log.removeLast(2)
        #expect(try Self.react(&world, account: t.account, offset: 10).isEmpty)
        #expect(try Self.react(&world, account: t.account, offset: 9).isEmpty)
        // The second incoming message is not greeted.
        try world.send("again", as: .contact(t.contact), to: t.conversation, in: t.account)
        #expect(try Self.react(&world, account: t.account, offset: 12).isEmpty)
    }

    @Test func onlyTheBotReacts() throws {
        var world = World()
        let t = try world.tenant("B")
        let trigger = try #require(world.log.last)
        let reaction = Reaction(triggerOffset: 99, triggerTime: world.now, trigger: trigger, onlineUsers: [], faqConfidence: 0.7)
        world.refusal(.user(t.admin), .react(reaction), in: t.account, code: "forbidden")
        world.refusal(.system, .notifyWaiting, in: t.account, code: "forbidden")
    }

    @Test func faqEntriesNeedKeywordsAQuestionAndAnAnswer() throws {
        var world = World()
        let t = try world.tenant("F")
        let entry = FAQEntry(question: "Refunds?", keywords: ["refund"], answer: "5 days", active: true)
        var none = entry
        none.keywords = ["", "  "]
        world.refuse(.user(t.admin), .saveFAQ(id: nil, entry: none), in: t.account,
                     with: .invalid(field: "keywords", reason: "1 to 50 keywords: an entry without keywords never matches"))
        var blank = entry
        blank.answer = " "
        world.refusal(.user(t.admin), .saveFAQ(id: nil, entry: blank), in: t.account, code: "invalid_argument")
        world.refusal(.user(t.agent), .saveFAQ(id: nil, entry: entry), in: t.account, code: "forbidden")
        world.refusal(.user(t.admin), .saveFAQ(id: 7, entry: entry), in: t.account, code: "not_found")
        try world.run(.user(t.admin), .saveFAQ(id: nil, entry: entry), in: t.account)
        #expect(world.state.automation.accounts[t.account]?.faqs[1]?.keywords == ["refund"])
    }

    @Test func autoAssignmentFillsCapacityQueuesAndDrainsOnResolve() throws {
        var world = World()
        let t = try world.tenant("A")
        var settings = InboxSettings(name: "Auto")
        settings.enableAutoAssignment = true
        settings.maxAssignmentLimit = 1
        let inbox = try world.createInbox("Auto", in: t.account, by: t.admin, members: [t.agent], settings: settings)
        var conversations: [UInt64] = []
        var offset: UInt64 = 100
        for index in 0..<2 {
            let contact = try world.createContact("C\(index)", in: t.account, by: .system, inbox: inbox, sourceID: "s\(index)")
            conversations.append(
                try world.createConversation(in: t.account, by: .system, inbox: inbox, contact: contact, sourceID: "s\(index)"))
            offset += 10
            _ = try Self.react(&world, account: t.account, offset: offset, online: [t.agent], type: ConversationCreated.type)
        }
        let account = try #require(world.state.accounts[t.account])
        #expect(account.conversations[conversations[0]]?.assigneeID == t.agent)
        #expect(account.conversations[conversations[1]]?.assigneeID == nil)
        #expect(world.state.automation.accounts[t.account]?.queues[inbox] == [conversations[1]])
        try world.setStatus(.resolved, of: conversations[0], in: t.account)
        _ = try Self.react(&world, account: t.account, offset: offset + 10, online: [t.agent], type: ConversationStatusChanged.type)
        #expect(world.state.accounts[t.account]?.conversations[conversations[1]]?.assigneeID == t.agent)
        #expect(world.state.automation.accounts[t.account]?.queues[inbox] == nil)
    }

    @Test func aWaitingContactNotifiesOncePerWait() throws {
        var world = World()
        let t = try world.tenant("W")
        var settings = InboxSettings(name: "SLA")
        settings.firstResponseThreshold = 60
        try world.run(.user(t.admin), .updateInbox(inboxID: t.inbox, settings: settings), in: t.account)
        try world.send("hello?", as: .contact(t.contact), to: t.conversation, in: t.account)
        world.advance(milliseconds: 59_000)
        #expect(try world.run(.bot, .notifyWaiting, in: Platform.accountID).isEmpty)
        world.advance(milliseconds: 1_000)
        let sent = try world.run(.bot, .notifyWaiting, in: Platform.accountID)
        #expect(sent.map(\.streams) == [[StreamNames.user(t.agent)]])
        #expect(sent.first?.accountID == t.account)
        world.advance(milliseconds: 120_000)
        #expect(try world.run(.bot, .notifyWaiting, in: Platform.accountID).isEmpty)
        // An agent's reply ends the wait; the contact's next message starts a new one.
        try world.send("here", as: .user(t.agent), to: t.conversation, in: t.account)
        try world.send("thanks", as: .contact(t.contact), to: t.conversation, in: t.account)
        world.advance(milliseconds: 60_000)
        #expect(try world.run(.bot, .notifyWaiting, in: Platform.accountID).count == 1)
    }
}
