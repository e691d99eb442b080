import Foundation

/// Turns a command into the events that carry it out, checked against the
/// current state. Pure: the same command, state and time give the same events.
public enum Decider {
    /// - Parameters:
    ///   - now: The writer's time for this command, milliseconds since 1970.
    /// - Returns: The events to append, in order; empty when the command
    ///   changes nothing (a status set to what it already is).
    public static func decide(_ command: Command, state: DomainState, now: UInt64) throws(DomainError) -> [DomainEvent] {
        let context = Decision(command: command, state: state, now: now)
        switch command.action {
        case .createAccount(let name, let locale):
            return try context.createAccount(name: name, locale: locale)
        case .updateAccount(let name, let locale):
            return try context.updateAccount(name: name, locale: locale)
        case .createUser(let name, let email, let token):
            return try context.createUser(name: name, email: email, tokenSha256: token)
        case .issueAccessToken(let user, let token):
            return try context.issueAccessToken(userID: user, tokenSha256: token)
        case .addAccountUser(let user, let role):
            return try context.addAccountUser(userID: user, role: role)
        case .inviteAgent(let name, let email, let role, let token):
            return try context.inviteAgent(name: name, email: email, role: role, tokenSha256: token)
        case .updateAccountUser(let user, let role):
            return try context.updateAccountUser(userID: user, role: role)
        case .removeAccountUser(let user):
            return try context.removeAccountUser(userID: user)
        case .setAvailability(let availability):
            return try context.setAvailability(availability)
        case .setPresence(let online):
            return try context.setPresence(online: online)
        case .createInbox(let channel, let identifier, let hmac, let settings, let callback):
            return try context.createInbox(
                channelType: channel, inboxIdentifier: identifier, hmacToken: hmac, settings: settings, callback: callback)
        case .updateInbox(let inbox, let settings, let callback):
            return try context.updateInbox(inboxID: inbox, settings: settings, callback: callback)
        case .setInboxMembers(let inbox, let users):
            return try context.setInboxMembers(inboxID: inbox, userIDs: users)
        case .createTeam(let name, let description):
            return try context.createTeam(name: name, description: description)
        case .setTeamMembers(let team, let users):
            return try context.setTeamMembers(teamID: team, userIDs: users)
        case .createLabel(let title, let description, let color):
            return try context.createLabel(title: title, description: description, color: color)
        case .deleteLabel(let label):
            return try context.deleteLabel(labelID: label)
        case .saveCannedResponse(let id, let shortCode, let content):
            return try context.saveCannedResponse(id: id, shortCode: shortCode, content: content)
        case .deleteCannedResponse(let id):
            return try context.deleteCannedResponse(id: id)
        case .saveWebhook(let id, let url, let subscriptions, let nonce):
            return try context.saveWebhook(id: id, url: url, subscriptions: subscriptions, secretNonce: nonce)
        case .deleteWebhook(let id):
            return try context.deleteWebhook(id: id)
        case .setWebhookDelivery(let id, let state, let reason):
            return try context.setWebhookDelivery(id: id, state: state, reason: reason)
        case .recordAudit(let action, let targetType, let targetID, let ip, let details):
            return try context.recordAudit(action: action, targetType: targetType, targetID: targetID, ipAddress: ip, details: details)
        case .createContact(let details, let inbox):
            return try context.createContact(details: details, inbox: inbox)
        case .updateContact(let contact, let details):
            return try context.updateContact(contactID: contact, details: details)
        case .createContactInbox(let contact, let inbox):
            return try context.createContactInbox(contactID: contact, inbox: inbox)
        case .createConversation(let new):
            return try context.createConversation(new)
        case .toggleStatus(let conversation, let status, let snoozedUntil):
            return try context.toggleStatus(conversationID: conversation, status: status, snoozedUntil: snoozedUntil)
        case .setPriority(let conversation, let priority):
            return try context.setPriority(conversationID: conversation, priority: priority)
        case .assign(let conversation, let assignee):
            return try context.assign(conversationID: conversation, assigneeID: assignee)
        case .assignTeam(let conversation, let team):
            return try context.assignTeam(conversationID: conversation, teamID: team)
        case .setLabels(let conversation, let labels):
            return try context.setLabels(conversationID: conversation, labels: labels)
        case .setCustomAttributes(let conversation, let attributes):
            return try context.setCustomAttributes(conversationID: conversation, attributes: attributes)
        case .submitCSAT(let conversation, let rating, let feedback):
            return try context.submitCSAT(conversationID: conversation, rating: rating, feedback: feedback)
        case .typing(let conversation, let on, let isPrivate):
            return try context.typing(conversationID: conversation, on: on, isPrivate: isPrivate)
        case .markRead(let conversation):
            return try context.markRead(conversationID: conversation)
        case .markUnread(let conversation):
            return try context.markUnread(conversationID: conversation)
        case .sendMessage(let conversation, let message):
            return try context.sendMessage(conversationID: conversation, message: message)
        case .updateMessage(let conversation, let message, let content, let attributes):
            return try context.updateMessage(conversationID: conversation, messageID: message, content: content, contentAttributes: attributes)
        case .deleteMessage(let conversation, let message):
            return try context.deleteMessage(conversationID: conversation, messageID: message)
        case .saveFAQ(let id, let entry):
            return try context.saveFAQ(id: id, entry: entry)
        case .deleteFAQ(let id):
            return try context.deleteFAQ(id: id)
        case .react(let reaction):
            return try context.react(reaction)
        case .startAutomation(let offset):
            return try context.startAutomation(offset: offset)
        case .notifyWaiting:
            return try context.notifyWaiting()
        case .readNotifications(let ids):
            return try context.readNotifications(ids: ids)
        }
    }
}

/// One command being decided: the checks every area shares.
struct Decision {
    let command: Command
    let state: DomainState
    let now: UInt64

    var accountID: UInt64 { command.accountID }
    var actor: Actor { command.principal.actor }

    func event(_ body: EventBody, streams: [String], ephemeral: Bool = false) -> DomainEvent {
        DomainEvent(accountID: accountID, actor: actor, streams: streams, ephemeral: ephemeral, body: body)
    }

    // MARK: Who may act

    /// The account, if the caller may see it at all. A user who is not a
    /// member gets the same answer as for an account that does not exist.
    func account() throws(DomainError) -> AccountRecord {
        guard let account = state.accounts[accountID] else { throw .notFound("account \(accountID)") }
        switch command.principal {
        case .platform, .system, .bot:
            return account
        case .user(let user):
            guard account.members[user] != nil else { throw .notFound("account \(accountID)") }
            return account
        case .contact(let contact):
            guard account.contacts[contact] != nil else { throw .notFound("account \(accountID)") }
            return account
        }
    }

    /// The account, for actions only administrators (or the platform) take.
    func accountAsAdministrator() throws(DomainError) -> AccountRecord {
        let account = try account()
        switch command.principal {
        case .platform, .system:
            return account
        case .user(let user) where account.members[user] == .administrator:
            return account
        default:
            throw .forbidden("administrators only")
        }
    }

    /// The account, for actions any of its agents take (not contacts, not the platform).
    func accountAsAgent() throws(DomainError) -> (account: AccountRecord, user: UInt64?) {
        let account = try account()
        switch command.principal {
        case .user(let user): return (account, user)
        case .system, .bot: return (account, nil)
        case .platform: throw .forbidden("platform apps manage accounts and users only")
        case .contact: throw .forbidden("agents only")
        }
    }

    /// Whether `user` may work in `inbox`: administrators everywhere, agents in their inboxes.
    func mayWork(_ user: UInt64, in inbox: UInt64, of account: AccountRecord) -> Bool {
        account.members[user] == .administrator || account.inboxes[inbox]?.members.contains(user) == true
    }

    /// A conversation the caller may act on.
    func conversation(_ id: UInt64) throws(DomainError) -> (account: AccountRecord, conversation: ConversationRecord) {
        let account = try account()
        guard let conversation = account.conversations[id] else { throw .notFound("conversation \(id)") }
        switch command.principal {
        case .system, .bot:
            break
        case .platform:
            throw .forbidden("platform apps manage accounts and users only")
        case .user(let user):
            guard mayWork(user, in: conversation.inboxID, of: account) else {
                throw .forbidden("not a member of inbox \(conversation.inboxID)")
            }
        case .contact(let contact):
            guard conversation.contactID == contact else { throw .notFound("conversation \(id)") }
        }
        return (account, conversation)
    }

    // MARK: Field checks

    func requireName(_ value: String, field: String) throws(DomainError) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid(field: field, reason: "must not be empty") }
        guard value.count <= Limits.maxNameLength else {
            throw .invalid(field: field, reason: "at most \(Limits.maxNameLength) characters")
        }
    }

    func requireShort(_ value: String, field: String) throws(DomainError) {
        guard value.count <= Limits.maxNameLength else {
            throw .invalid(field: field, reason: "at most \(Limits.maxNameLength) characters")
        }
    }

    // MARK: Streams

    /// Streams of an event about a conversation; the contact's only when the
    /// contact may see it.
    func conversationStreams(_ id: UInt64, _ conversation: ConversationRecord, contactSees: Bool) -> [String] {
        var streams = [
            StreamNames.account(accountID), StreamNames.conversation(accountID, id),
            StreamNames.inbox(accountID, conversation.inboxID),
        ]
        if contactSees { streams.append(StreamNames.contact(accountID, conversation.contactID)) }
        return streams
    }

    var administrativeStreams: [String] { [StreamNames.account(accountID), StreamNames.audit(accountID)] }
}
