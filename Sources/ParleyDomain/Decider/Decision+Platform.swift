// Accounts, users, memberships and availability.

extension Decision {
    private func requirePlatform() throws(DomainError) {
        guard command.principal == .platform else { throw .forbidden("platform apps only") }
    }

    private func requireEmail(_ email: String) throws(DomainError) {
        try requireName(email, field: "email")
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(" ") else {
            throw .invalid(field: "email", reason: "not an email address")
        }
    }

    private func requireTokenHash(_ hash: String) throws(DomainError) {
        guard hash.count == 64, hash.allSatisfy(ASCII.isHexDigit) else {
            throw .invalid(field: "token", reason: "expected a SHA-256 digest in hex")
        }
    }

    func createAccount(name: String, locale: String) throws(DomainError) -> [DomainEvent] {
        try requirePlatform()
        try requireName(name, field: "name")
        try requireName(locale, field: "locale")
        let id = state.nextAccountID
        return [
            DomainEvent(
                accountID: id, actor: actor, streams: [StreamNames.account(id), StreamNames.audit(id)],
                body: .accountCreated(AccountCreated(name: name, locale: locale)))
        ]
    }

    func updateAccount(name: String, locale: String) throws(DomainError) -> [DomainEvent] {
        _ = try accountAsAdministrator()
        try requireName(name, field: "name")
        try requireName(locale, field: "locale")
        return [event(.accountUpdated(AccountUpdated(name: name, locale: locale)), streams: administrativeStreams)]
    }

    func createUser(name: String, email: String, tokenSha256: String) throws(DomainError) -> [DomainEvent] {
        try requirePlatform()
        try requireName(name, field: "name")
        try requireEmail(email)
        try requireTokenHash(tokenSha256)
        guard state.usersByEmail[email.lowercased()] == nil else { throw .conflict("user with email \(email)") }
        return newUser(name: name, email: email, tokenSha256: tokenSha256)
    }

    /// The events that create a user with the next id.
    private func newUser(name: String, email: String, tokenSha256: String) -> [DomainEvent] {
        let id = state.nextUserID
        let streams = [StreamNames.platform, StreamNames.user(id)]
        return [
            DomainEvent(
                accountID: Platform.accountID, actor: actor, streams: streams,
                body: .userCreated(UserCreated(userID: id, name: name, email: email))),
            DomainEvent(
                accountID: Platform.accountID, actor: actor, streams: streams,
                body: .accessTokenIssued(AccessTokenIssued(userID: id, tokenSha256: tokenSha256))),
        ]
    }

    func inviteAgent(name: String, email: String, role: Role, tokenSha256: String) throws(DomainError) -> [DomainEvent] {
        let account = try accountAsAdministrator()
        try requireName(name, field: "name")
        try requireEmail(email)
        try requireTokenHash(tokenSha256)
        var events: [DomainEvent] = []
        let user: UInt64
        if let existing = state.usersByEmail[email.lowercased()] {
            guard account.members[existing] == nil else { throw .conflict("agent with email \(email)") }
            user = existing
        } else {
            events = newUser(name: name, email: email, tokenSha256: tokenSha256)
            user = state.nextUserID
        }
        events.append(
            event(
                .accountUserAdded(AccountUserAdded(userID: user, role: role)),
                streams: administrativeStreams + [StreamNames.user(user)]))
        return events
    }

    func issueAccessToken(userID: UInt64, tokenSha256: String) throws(DomainError) -> [DomainEvent] {
        switch command.principal {
        case .platform: break
        case .user(let user) where user == userID: break
        default: throw .forbidden("only the user or a platform app may issue the user's token")
        }
        guard state.users[userID] != nil else { throw .notFound("user \(userID)") }
        try requireTokenHash(tokenSha256)
        return [
            DomainEvent(
                accountID: Platform.accountID, actor: actor,
                streams: [StreamNames.platform, StreamNames.user(userID)],
                body: .accessTokenIssued(AccessTokenIssued(userID: userID, tokenSha256: tokenSha256)))
        ]
    }

    /// By id only from the platform app: an administrator of one account must
    /// not find out, id by id, who uses the platform (agents are invited by email).
    func addAccountUser(userID: UInt64, role: Role) throws(DomainError) -> [DomainEvent] {
        try requirePlatform()
        let account = try accountAsAdministrator()
        guard state.users[userID] != nil else { throw .notFound("user \(userID)") }
        guard account.members[userID] == nil else { throw .conflict("membership of user \(userID)") }
        return [
            event(
                .accountUserAdded(AccountUserAdded(userID: userID, role: role)),
                streams: administrativeStreams + [StreamNames.user(userID)])
        ]
    }

    func updateAccountUser(userID: UInt64, role: Role) throws(DomainError) -> [DomainEvent] {
        let account = try accountAsAdministrator()
        guard account.members[userID] != nil else { throw .notFound("user \(userID)") }
        if role != .administrator { try keepAnAdministrator(in: account, without: userID) }
        return [
            event(
                .accountUserUpdated(AccountUserUpdated(userID: userID, role: role)),
                streams: administrativeStreams + [StreamNames.user(userID)])
        ]
    }

    /// Refuses to demote or remove the last administrator: an account
    /// nobody can administer could never be configured again.
    private func keepAnAdministrator(in account: AccountRecord, without userID: UInt64) throws(DomainError) {
        guard account.members[userID] == .administrator,
            !account.members.contains(where: { $0.key != userID && $0.value == .administrator })
        else { return }
        throw .invalid(field: "role", reason: "an account keeps at least one administrator")
    }

    /// Removes a member and, as Chatwoot does, unassigns their conversations
    /// (each with its activity message) so nothing stays with someone gone.
    func removeAccountUser(userID: UInt64) throws(DomainError) -> [DomainEvent] {
        let account = try accountAsAdministrator()
        guard account.members[userID] != nil else { throw .notFound("user \(userID)") }
        try keepAnAdministrator(in: account, without: userID)
        var events: [DomainEvent] = []
        var messageID = state.nextMessageID
        for id in (account.assignments[userID] ?? []).sorted() {
            guard let conversation = account.conversations[id] else { continue }
            events.append(
                event(
                    .assigneeChanged(AssigneeChanged(conversationID: id, assigneeID: nil, previousAssigneeID: userID)),
                    streams: conversationStreams(id, conversation, contactSees: false)))
            events.append(activity(ActivityText.assignee(nil, by: actorName), in: id, conversation, messageID: messageID))
            messageID += 1
        }
        events.append(
            event(
                .accountUserRemoved(AccountUserRemoved(userID: userID)),
                streams: administrativeStreams + [StreamNames.user(userID)]))
        return events
    }

    func setPresence(online: Bool) throws(DomainError) -> [DomainEvent] {
        guard case .user(let user) = command.principal else { throw .forbidden("users only") }
        _ = try account()
        return [
            event(
                .presenceChanged(PresenceChanged(userID: user, online: online)),
                streams: [StreamNames.account(accountID), StreamNames.user(user)], ephemeral: true)
        ]
    }

    func setAvailability(_ availability: Availability) throws(DomainError) -> [DomainEvent] {
        guard case .user(let user) = command.principal else { throw .forbidden("users only") }
        _ = try account()
        return [
            event(
                .availabilityChanged(AvailabilityChanged(userID: user, availability: availability)),
                streams: [StreamNames.account(accountID), StreamNames.user(user)])
        ]
    }
}
