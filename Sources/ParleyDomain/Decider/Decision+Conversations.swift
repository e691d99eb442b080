// Conversations: creation, status, assignment, team, priority, labels, attributes, CSAT, typing, read markers.

extension Decision {
    /// The name activity messages give the caller.
    var actorName: String? {
        switch command.principal {
        case .user(let user): state.users[user]?.name
        case .contact(let contact): state.accounts[accountID]?.contacts[contact]?.details.name
        case .platform, .system, .bot: nil
        }
    }

    /// An activity message about a change, with the next free message id.
    func activity(_ text: String, in id: UInt64, _ conversation: ConversationRecord, messageID: UInt64) -> DomainEvent {
        DomainEvent(
            accountID: accountID, actor: actor, streams: conversationStreams(id, conversation, contactSees: false),
            body: .messageCreated(
                MessageCreated(
                    messageID: messageID, conversationID: id, messageType: .activity, content: text, contentType: "text",
                    contentAttributes: [:], private: false, sender: nil, attachments: [], echoID: nil)))
    }

    /// `event` followed by its activity message.
    private func withActivity(_ body: EventBody, _ text: String, _ id: UInt64, _ conversation: ConversationRecord, contactSees: Bool)
        -> [DomainEvent]
    {
        [
            event(body, streams: conversationStreams(id, conversation, contactSees: contactSees)),
            activity(text, in: id, conversation, messageID: state.nextMessageID),
        ]
    }

    /// An agent may be assigned when they can work in the conversation's inbox.
    private func requireAssignable(_ user: UInt64, inbox: UInt64, of account: AccountRecord) throws(DomainError) {
        guard account.members[user] != nil else { throw .notFound("user \(user)") }
        guard mayWork(user, in: inbox, of: account) else {
            throw .invalid(field: "assignee_id", reason: "user \(user) is not a member of inbox \(inbox)")
        }
    }

    func createConversation(_ new: NewConversation) throws(DomainError) -> [DomainEvent] {
        let account = try account()
        guard account.inboxes[new.inboxID] != nil else { throw .notFound("inbox \(new.inboxID)") }
        guard let contact = account.contacts[new.contactID] else { throw .notFound("contact \(new.contactID)") }
        switch command.principal {
        case .platform:
            throw .forbidden("platform apps manage accounts and users only")
        case .user(let user):
            guard mayWork(user, in: new.inboxID, of: account) else { throw .forbidden("not a member of inbox \(new.inboxID)") }
        case .contact(let own):
            guard own == new.contactID else { throw .notFound("contact \(new.contactID)") }
            guard new.assigneeID == nil, new.teamID == nil else { throw .forbidden("contacts cannot assign") }
        case .system, .bot:
            break
        }
        guard new.status == .open || new.status == .pending else {
            throw .invalid(field: "status", reason: "a conversation starts open or pending")
        }
        if contact.details.blocked, case .contact = command.principal { throw .contactBlocked(contactID: new.contactID) }
        if let assignee = new.assigneeID { try requireAssignable(assignee, inbox: new.inboxID, of: account) }
        if let team = new.teamID, account.teams[team] == nil { throw .notFound("team \(team)") }

        var events: [DomainEvent] = []
        let source = InboxSource(inboxID: new.inboxID, sourceID: new.sourceID)
        try requireName(new.sourceID, field: "source_id")
        if let owner = account.contactInboxes[source] {
            guard owner == new.contactID else { throw .conflict("source id \(new.sourceID)") }
        } else {
            events.append(
                event(
                    .contactInboxCreated(ContactInboxCreated(contactID: new.contactID, inboxID: new.inboxID, sourceID: new.sourceID)),
                    streams: [StreamNames.account(accountID), StreamNames.contact(accountID, new.contactID)]))
        }
        let id = account.nextDisplayID
        let record = ConversationRecord(
            inboxID: new.inboxID, contactID: new.contactID, status: new.status, assigneeID: new.assigneeID,
            teamID: new.teamID, priority: nil, labels: [], customAttributes: new.customAttributes)
        events.append(
            event(
                .conversationCreated(
                    ConversationCreated(
                        conversationID: id, inboxID: new.inboxID, contactID: new.contactID, sourceID: new.sourceID,
                        status: new.status, assigneeID: new.assigneeID, teamID: new.teamID, priority: nil, labels: [],
                        customAttributes: new.customAttributes)),
                streams: conversationStreams(id, record, contactSees: true)
                    + (new.assigneeID.map { [StreamNames.user($0)] } ?? [])))
        if let message = new.message {
            events.append(try messageEvent(message, in: id, record, account: account, messageID: state.nextMessageID))
        }
        return events
    }

    func toggleStatus(conversationID id: UInt64, status: ConversationStatus?, snoozedUntil: UInt64?) throws(DomainError)
        -> [DomainEvent]
    {
        let (_, conversation) = try conversation(id)
        let isContact: Bool
        if case .contact = command.principal { isContact = true } else { isContact = false }
        if isContact, status != nil && status != .resolved { throw .forbidden("contacts can only resolve") }
        // A contact's toggle only resolves, as Chatwoot's Public API does.
        let target = isContact ? .resolved : status ?? (conversation.status == .open ? .resolved : .open)
        guard snoozedUntil == nil || target == .snoozed else {
            throw .invalid(field: "snoozed_until", reason: "only for status snoozed")
        }
        if let snoozedUntil, snoozedUntil <= now / 1000 {
            throw .invalid(field: "snoozed_until", reason: "must be in the future")
        }
        guard target != conversation.status || (target == .snoozed && snoozedUntil != conversation.snoozedUntil) else {
            return []
        }
        return withActivity(
            .statusChanged(
                ConversationStatusChanged(
                    conversationID: id, status: target, previousStatus: conversation.status,
                    snoozedUntil: target == .snoozed ? snoozedUntil : nil)),
            ActivityText.status(target, by: actorName), id, conversation, contactSees: true)
    }

    func setPriority(conversationID id: UInt64, priority: Priority?) throws(DomainError) -> [DomainEvent] {
        let (_, conversation) = try agentConversation(id)
        guard priority != conversation.priority else { return [] }
        return withActivity(
            .priorityChanged(PriorityChanged(conversationID: id, priority: priority, previousPriority: conversation.priority)),
            ActivityText.priority(priority, by: actorName), id, conversation, contactSees: false)
    }

    func assign(conversationID id: UInt64, assigneeID: UInt64?) throws(DomainError) -> [DomainEvent] {
        let (account, conversation) = try agentConversation(id)
        if let assigneeID { try requireAssignable(assigneeID, inbox: conversation.inboxID, of: account) }
        guard assigneeID != conversation.assigneeID else { return [] }
        let users = [assigneeID, conversation.assigneeID].compactMap { $0 }.map(StreamNames.user)
        let change = event(
            .assigneeChanged(AssigneeChanged(conversationID: id, assigneeID: assigneeID, previousAssigneeID: conversation.assigneeID)),
            streams: conversationStreams(id, conversation, contactSees: false) + users)
        let name = assigneeID.flatMap { state.users[$0]?.name }
        return [change, activity(ActivityText.assignee(name, by: actorName), in: id, conversation, messageID: state.nextMessageID)]
    }

    func assignTeam(conversationID id: UInt64, teamID: UInt64?) throws(DomainError) -> [DomainEvent] {
        let (account, conversation) = try agentConversation(id)
        if let teamID, account.teams[teamID] == nil { throw .notFound("team \(teamID)") }
        guard teamID != conversation.teamID else { return [] }
        return withActivity(
            .teamChanged(TeamChanged(conversationID: id, teamID: teamID, previousTeamID: conversation.teamID)),
            ActivityText.team(teamID.flatMap { account.teams[$0]?.name }, by: actorName), id, conversation, contactSees: false)
    }

    func setLabels(conversationID id: UInt64, labels: [String]) throws(DomainError) -> [DomainEvent] {
        let (_, conversation) = try agentConversation(id)
        var chosen: [String] = []
        for label in labels {
            try LabelTitle.validate(label)
            let title = label.lowercased()
            if !chosen.contains(title) { chosen.append(title) }
        }
        guard chosen.count <= Limits.maxLabels else {
            throw .invalid(field: "labels", reason: "at most \(Limits.maxLabels) labels")
        }
        let added = chosen.filter { !conversation.labels.contains($0) }
        let removed = conversation.labels.filter { !chosen.contains($0) }
        guard !added.isEmpty || !removed.isEmpty else { return [] }
        return withActivity(
            .labelsChanged(LabelsChanged(conversationID: id, labels: chosen, added: added, removed: removed)),
            ActivityText.labels(added: added, removed: removed, by: actorName), id, conversation, contactSees: false)
    }

    func setCustomAttributes(conversationID id: UInt64, attributes: JSONObject) throws(DomainError) -> [DomainEvent] {
        let (_, conversation) = try agentConversation(id)
        guard attributes != conversation.customAttributes else { return [] }
        return [
            event(
                .customAttributesChanged(CustomAttributesChanged(conversationID: id, customAttributes: attributes)),
                streams: conversationStreams(id, conversation, contactSees: false))
        ]
    }

    func submitCSAT(conversationID id: UInt64, rating: Int, feedback: String) throws(DomainError) -> [DomainEvent] {
        guard case .contact = command.principal else { throw .forbidden("contacts rate their conversations") }
        let (_, conversation) = try conversation(id)
        guard (1...5).contains(rating) else { throw .invalid(field: "rating", reason: "must be 1 to 5") }
        guard feedback.count <= 1000 else { throw .invalid(field: "feedback", reason: "at most 1000 characters") }
        // One response per conversation, so averages count each conversation once.
        guard conversation.csatRating == nil else { throw .conflict("CSAT response for conversation \(id)") }
        return [
            event(
                .csatSubmitted(CSATSubmitted(conversationID: id, rating: rating, feedback: feedback)),
                streams: conversationStreams(id, conversation, contactSees: true))
        ]
    }

    func typing(conversationID id: UInt64, on: Bool, isPrivate: Bool) throws(DomainError) -> [DomainEvent] {
        let (_, conversation) = try conversation(id)
        let isContact: Bool
        if case .contact = command.principal { isContact = true } else { isContact = false }
        guard !(isContact && isPrivate) else { throw .forbidden("contacts have no private notes") }
        let body: EventBody =
            on
            ? .typingOn(TypingOn(conversationID: id, isPrivate: isPrivate))
            : .typingOff(TypingOff(conversationID: id, isPrivate: isPrivate))
        return [
            event(body, streams: conversationStreams(id, conversation, contactSees: !isContact && !isPrivate), ephemeral: true)
        ]
    }

    func markRead(conversationID id: UInt64) throws(DomainError) -> [DomainEvent] {
        let (_, conversation) = try conversation(id)
        let participant: Participant
        let streams: [String]
        switch command.principal {
        case .user(let user):
            participant = Participant(type: .user, id: user)
            streams = [StreamNames.user(user)]
        case .contact(let contact):
            participant = Participant(type: .contact, id: contact)
            streams = conversationStreams(id, conversation, contactSees: true)
        case .platform, .system, .bot:
            throw .forbidden("only participants read conversations")
        }
        return [
            event(
                .conversationRead(
                    ConversationRead(conversationID: id, participant: participant, lastReadMessageID: conversation.lastMessageID)),
                streams: streams)
        ]
    }

    func markUnread(conversationID id: UInt64) throws(DomainError) -> [DomainEvent] {
        guard case .user(let user) = command.principal else { throw .forbidden("agents only") }
        let (_, conversation) = try conversation(id)
        let cursor = conversation.lastIncomingMessageID > 0 ? conversation.lastIncomingMessageID - 1 : 0
        return [
            event(
                .markedUnread(ConversationMarkedUnread(conversationID: id, userID: user, lastReadMessageID: cursor)),
                streams: [StreamNames.user(user)])
        ]
    }

    /// A conversation only agents (or Parley) may change.
    func agentConversation(_ id: UInt64) throws(DomainError) -> (account: AccountRecord, conversation: ConversationRecord) {
        if case .contact = command.principal { throw .forbidden("agents only") }
        return try conversation(id)
    }
}
