// The reactor's answers to logged events: greeting, out of office, FAQ
// answers, auto-assignment and notifications.

extension Decision {
    /// Everything the bot does about one logged event, followed by the
    /// ``AutomationReacted`` marker that records it handled; nothing (and no
    /// marker) when the event asks for nothing or was handled before.
    func react(_ reaction: Reaction) throws(DomainError) -> [DomainEvent] {
        guard command.principal == .bot else { throw .forbidden("the bot's only") }
        guard reaction.triggerOffset > (state.automation.cursor ?? 0), state.accounts[accountID] != nil else { return [] }
        var batch = ReactionBatch(accountID: accountID, now: now, state: state)
        var marker = AutomationReacted(
            triggerOffset: reaction.triggerOffset, conversationID: nil, greeted: false, outOfOfficePeriod: nil, faqID: nil,
            assignmentQueued: nil)
        let trigger = reaction.trigger
        switch trigger.body {
        case .messageCreated(let message) where message.messageType == .incoming && !message.private:
            marker.conversationID = message.conversationID
            answer(message, reaction, &batch, &marker)
        case .messageCreated(let message) where message.private:
            notifyMentions(message, by: trigger.actor, &batch)
        case .conversationCreated(let created):
            drain(reaction, &batch)
            if created.assigneeID == nil {
                marker.conversationID = created.conversationID
                marker.assignmentQueued = autoAssign(created.conversationID, reaction, &batch)
            } else if let assignee = created.assigneeID, trigger.actor != .agent(assignee) {
                batch.notify(assignee, .conversationAssignment, conversation: created.conversationID)
            }
        case .assigneeChanged(let change):
            if let assignee = change.assigneeID, trigger.actor != .agent(assignee) {
                batch.notify(assignee, .conversationAssignment, conversation: change.conversationID)
            }
            if change.previousAssigneeID != nil { drain(reaction, &batch) }
        case .statusChanged(let change) where change.status != .open:
            drain(reaction, &batch)
        case .presenceChanged(let presence) where presence.online:
            drain(reaction, &batch)
        case .inboxMembersChanged, .inboxUpdated, .availabilityChanged:
            drain(reaction, &batch)
        default:
            break
        }
        guard !batch.events.isEmpty || marker.assignmentQueued != nil else { return [] }
        var streams = [StreamNames.automation(accountID)]
        if marker.assignmentQueued != nil { streams.append(StreamNames.audit(accountID)) }
        return batch.events + [event(.automationReacted(marker), streams: streams)]
    }

    // MARK: Incoming messages

    /// Greeting, out-of-office text, FAQ answer and the assignee's notification for a contact's message.
    private func answer(
        _ message: MessageCreated, _ reaction: Reaction, _ batch: inout ReactionBatch, _ marker: inout AutomationReacted
    ) {
        let id = message.conversationID
        guard let conversation = batch.state.accounts[accountID]?.conversations[id],
            let inbox = batch.state.accounts[accountID]?.inboxes[conversation.inboxID]
        else { return }
        let facts = batch.state.automation.accounts[accountID]?.conversations[id] ?? .init()
        let settings = inbox.settings
        if settings.greetingEnabled, !settings.greetingMessage.isEmpty, facts.firstIncomingMessageID == message.messageID,
            !facts.greeted
        {
            marker.greeted = batch.run(.sendMessage(conversationID: id, message: NewMessage(content: settings.greetingMessage, messageType: .template)))
        }
        if settings.workingHoursEnabled, !settings.outOfOfficeMessage.isEmpty,
            let period = WorkingSchedule(hours: settings.workingHours, timezone: settings.timezone)?.closedPeriod(at: reaction.triggerTime),
            facts.outOfOfficePeriod != period,
            batch.run(.sendMessage(conversationID: id, message: NewMessage(content: settings.outOfOfficeMessage, messageType: .template)))
        {
            marker.outOfOfficePeriod = period
        }
        if !facts.awaitingHuman, let (faq, entry) = bestFAQ(for: message.content, confidence: reaction.faqConfidence, in: batch.state),
            batch.run(.sendMessage(conversationID: id, message: NewMessage(content: entry.answer, messageType: .outgoing)))
        {
            marker.faqID = faq
            if batch.state.accounts[accountID]?.conversations[id]?.status == .open {
                batch.run(.toggleStatus(conversationID: id, status: .pending, snoozedUntil: nil))
            }
        }
        if let assignee = conversation.assigneeID {
            batch.notify(assignee, .assignedConversationNewMessage, conversation: id, message: message.messageID)
        }
    }

    /// The active entry scoring highest (the lowest id among equals), if it reaches `confidence`.
    private func bestFAQ(for content: String, confidence: Double, in state: DomainState) -> (UInt64, FAQEntry)? {
        var best: (UInt64, FAQEntry, Double)?
        for (id, entry) in (state.automation.accounts[accountID]?.faqs ?? [:]).sorted(by: { $0.key < $1.key }) where entry.active {
            let score = KeywordScore.score(message: content, keywords: entry.keywords)
            if score >= confidence, score > (best?.2 ?? -1) { best = (id, entry, score) }
        }
        return best.map { ($0.0, $0.1) }
    }

    /// `conversation_mention` for each member a private note names who may see the conversation, not its author.
    private func notifyMentions(_ message: MessageCreated, by author: Actor, _ batch: inout ReactionBatch) {
        guard let account = batch.state.accounts[accountID], let conversation = account.conversations[message.conversationID]
        else { return }
        var names: [UInt64: String] = [:]
        for user in account.members.keys where mayWork(user, in: conversation.inboxID, of: account) {
            names[user] = batch.state.users[user]?.name
        }
        for user in Mentions.users(in: message.content, members: names) where author != .agent(user) {
            batch.notify(user, .conversationMention, conversation: message.conversationID, message: message.messageID)
        }
    }

    // MARK: Auto-assignment

    /// Assigns a new conversation round-robin, or says why it waits in the queue.
    private func autoAssign(_ id: UInt64, _ reaction: Reaction, _ batch: inout ReactionBatch) -> String? {
        guard let account = batch.state.accounts[accountID], let conversation = account.conversations[id],
            conversation.assigneeID == nil, conversation.status == .open,
            let inbox = account.inboxes[conversation.inboxID], inbox.settings.enableAutoAssignment == true
        else { return nil }
        guard !inbox.members.isEmpty else { return "no_members" }
        guard let agent = nextAgent(for: conversation.inboxID, reaction, batch.state),
            batch.run(.assign(conversationID: id, assigneeID: agent))
        else { return "no_agent_available" }
        return nil
    }

    /// Gives queued conversations, oldest first, to agents who became available.
    private func drain(_ reaction: Reaction, _ batch: inout ReactionBatch) {
        let queues = batch.state.automation.accounts[accountID]?.queues ?? [:]
        for (inbox, queue) in queues.sorted(by: { $0.key < $1.key }) {
            guard batch.state.accounts[accountID]?.inboxes[inbox]?.settings.enableAutoAssignment == true else { continue }
            for id in queue {
                guard let conversation = batch.state.accounts[accountID]?.conversations[id], conversation.assigneeID == nil,
                    conversation.status == .open
                else { continue }
                guard let agent = nextAgent(for: inbox, reaction, batch.state) else { break }
                batch.run(.assign(conversationID: id, assigneeID: agent))
            }
        }
    }

    /// The next member of `inbox` in round-robin order who is online, not
    /// away or busy, and has fewer open conversations than the inbox's limit.
    private func nextAgent(for inbox: UInt64, _ reaction: Reaction, _ state: DomainState) -> UInt64? {
        guard let account = state.accounts[accountID], let record = account.inboxes[inbox] else { return nil }
        let limit = record.settings.maxAssignmentLimit
        let eligible = record.members.filter { user in
            guard reaction.onlineUsers.contains(user), account.members[user] != nil else { return false }
            let availability = state.users[user]?.availability
            guard availability != .busy, availability != .away else { return false }
            guard let limit else { return true }
            let open = account.assignments[user]?.filter { account.conversations[$0]?.status == .open }.count ?? 0
            return open < limit
        }
        return RoundRobin.next(eligible: eligible, after: state.automation.accounts[accountID]?.lastAssigned[inbox])
    }
}
