extension DomainState {
    /// Folds one event into the state. `timestamp` is the event's time (ms).
    ///
    /// Events were validated when they were decided, so applying one never
    /// fails; an event about something absent (which a valid log never holds)
    /// changes nothing.
    public mutating func apply(_ event: DomainEvent, at timestamp: UInt64) {
        let account = event.accountID
        defer { applyAutomation(event, at: timestamp) }
        switch event.body {
        case .accountCreated(let e):
            accounts[account] = AccountRecord(name: e.name, locale: e.locale)
            nextAccountID = max(nextAccountID, account + 1)
        case .accountUpdated(let e):
            accounts[account]?.name = e.name
            accounts[account]?.locale = e.locale
        case .userCreated(let e):
            users[e.userID] = UserRecord(name: e.name, email: e.email, tokenSha256: "")
            usersByEmail[e.email.lowercased()] = e.userID
            nextUserID = max(nextUserID, e.userID + 1)
        case .accessTokenIssued(let e):
            users[e.userID]?.tokenSha256 = e.tokenSha256
        case .accountUserAdded(let e):
            accounts[account]?.members[e.userID] = e.role
        case .accountUserUpdated(let e):
            accounts[account]?.members[e.userID] = e.role
        case .accountUserRemoved(let e):
            removeMember(e.userID, from: account)
        case .availabilityChanged(let e):
            users[e.userID]?.availability = e.availability
        case .inboxCreated(let e):
            accounts[account]?.inboxes[e.inboxID] = InboxRecord(
                channelType: e.channelType, inboxIdentifier: e.inboxIdentifier, hmacToken: e.hmacToken,
                settings: e.settings)
            inboxesByIdentifier[e.inboxIdentifier] = InboxAddress(accountID: account, inboxID: e.inboxID)
            nextInboxID = max(nextInboxID, e.inboxID + 1)
        case .inboxUpdated(let e):
            accounts[account]?.inboxes[e.inboxID]?.settings = e.settings
        case .inboxMembersChanged(let e):
            accounts[account]?.inboxes[e.inboxID]?.members = Set(e.userIDs)
        case .teamCreated(let e):
            accounts[account]?.teams[e.teamID] = TeamRecord(name: e.name)
            nextTeamID = max(nextTeamID, e.teamID + 1)
        case .teamMembersChanged(let e):
            accounts[account]?.teams[e.teamID]?.members = Set(e.userIDs)
        case .labelCreated(let e):
            accounts[account]?.labels[e.title] = e.labelID
            nextLabelID = max(nextLabelID, e.labelID + 1)
        case .labelDeleted(let e):
            accounts[account]?.labels[e.title] = nil
        case .cannedResponseSaved(let e):
            accounts[account]?.cannedResponses[e.cannedResponseID] = e.shortCode
            nextCannedResponseID = max(nextCannedResponseID, e.cannedResponseID + 1)
        case .cannedResponseDeleted(let e):
            accounts[account]?.cannedResponses[e.cannedResponseID] = nil
        case .webhookSaved(let e):
            accounts[account]?.webhooks.insert(e.webhookID)
            if let inbox = e.inboxID {
                accounts[account]?.inboxes[inbox]?.callback = InboxCallback(webhookID: e.webhookID, url: e.url)
            }
            nextWebhookID = max(nextWebhookID, e.webhookID + 1)
        case .webhookDeleted(let e):
            accounts[account]?.webhooks.remove(e.webhookID)
            if let inbox = accounts[account]?.callbackInbox(ofWebhook: e.webhookID) {
                accounts[account]?.inboxes[inbox]?.callback = nil
            }
        case .auditRecorded, .webhookDeliveryChanged:
            break
        case .contactCreated(let e):
            accounts[account]?.contacts[e.contactID] = ContactRecord(details: e.details)
            if let identifier = e.details.identifier { accounts[account]?.contactsByIdentifier[identifier] = e.contactID }
            nextContactID = max(nextContactID, e.contactID + 1)
        case .contactUpdated(let e):
            if let old = accounts[account]?.contacts[e.contactID]?.details.identifier {
                accounts[account]?.contactsByIdentifier[old] = nil
            }
            accounts[account]?.contacts[e.contactID]?.details = e.details
            if let identifier = e.details.identifier { accounts[account]?.contactsByIdentifier[identifier] = e.contactID }
        case .contactInboxCreated(let e):
            accounts[account]?.contactInboxes[InboxSource(inboxID: e.inboxID, sourceID: e.sourceID)] = e.contactID
        case .conversationCreated(let e):
            accounts[account]?.conversations[e.conversationID] = ConversationRecord(
                inboxID: e.inboxID, contactID: e.contactID, status: e.status, assigneeID: e.assigneeID,
                teamID: e.teamID, priority: e.priority, labels: e.labels, customAttributes: e.customAttributes)
            if let next = accounts[account]?.nextDisplayID { accounts[account]?.nextDisplayID = max(next, e.conversationID + 1) }
            if let assignee = e.assigneeID { accounts[account]?.assignments[assignee, default: []].insert(e.conversationID) }
        case .statusChanged(let e):
            accounts[account]?.conversations[e.conversationID]?.status = e.status
            accounts[account]?.conversations[e.conversationID]?.snoozedUntil = e.snoozedUntil
        case .assigneeChanged(let e):
            accounts[account]?.conversations[e.conversationID]?.assigneeID = e.assigneeID
            if let previous = e.previousAssigneeID { accounts[account]?.assignments[previous]?.remove(e.conversationID) }
            if let assignee = e.assigneeID { accounts[account]?.assignments[assignee, default: []].insert(e.conversationID) }
        case .teamChanged(let e):
            accounts[account]?.conversations[e.conversationID]?.teamID = e.teamID
        case .priorityChanged(let e):
            accounts[account]?.conversations[e.conversationID]?.priority = e.priority
        case .labelsChanged(let e):
            accounts[account]?.conversations[e.conversationID]?.labels = e.labels
        case .customAttributesChanged(let e):
            accounts[account]?.conversations[e.conversationID]?.customAttributes = e.customAttributes
        case .csatSubmitted(let e):
            accounts[account]?.conversations[e.conversationID]?.csatRating = e.rating
        case .typingOn, .typingOff, .conversationRead, .markedUnread, .presenceChanged:
            break
        case .messageCreated(let e):
            messages[e.messageID] = MessageRecord(
                accountID: account, conversationID: e.conversationID, messageType: e.messageType, sender: e.sender,
                isPrivate: e.private)
            nextMessageID = max(nextMessageID, e.messageID + 1)
            guard var conversation = accounts[account]?.conversations[e.conversationID] else { return }
            conversation.lastMessageID = e.messageID
            if e.messageType == .incoming { conversation.lastIncomingMessageID = e.messageID }
            if e.messageType != .activity {
                if timestamp >= conversation.rateWindowStart + Limits.rateWindowMilliseconds {
                    conversation.rateWindowStart = timestamp
                    conversation.rateWindowCount = 0
                }
                conversation.rateWindowCount += 1
            }
            accounts[account]?.conversations[e.conversationID] = conversation
        case .messageUpdated:
            break
        case .messageDeleted(let e):
            messages[e.messageID]?.deleted = true
        case .faqSaved, .faqDeleted, .automationReacted, .notificationCreated, .notificationsRead:
            break
        }
    }

    private mutating func removeMember(_ user: UInt64, from account: UInt64) {
        accounts[account]?.members[user] = nil
        for id in accounts[account]?.inboxes.keys.map({ $0 }) ?? [] {
            accounts[account]?.inboxes[id]?.members.remove(user)
        }
        for id in accounts[account]?.teams.keys.map({ $0 }) ?? [] {
            accounts[account]?.teams[id]?.members.remove(user)
        }
    }
}
