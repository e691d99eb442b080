import Testing

@testable import ParleyDomain

/// Accounts, users, memberships, tokens and availability.
@Suite struct PlatformRuleTests {
    @Test func platformCreatesAccountsNumberedFromOne() throws {
        var world = World()
        let first = try world.run(.platform, .createAccount(name: "Acme", locale: "en"), in: Platform.accountID)
        #expect(
            first == [
                DomainEvent(
                    accountID: 1, actor: .system, streams: ["account:1", "audit:1"],
                    body: .accountCreated(AccountCreated(name: "Acme", locale: "en")))
            ])
        let second = try world.run(.platform, .createAccount(name: "Globex", locale: "de"), in: Platform.accountID)
        #expect(second.map(\.accountID) == [2])
        #expect(world.state.accounts[1]?.name == "Acme")
        #expect(world.state.accounts[2]?.locale == "de")
        #expect(world.state.accounts[2]?.members.isEmpty == true)
    }

    @Test func accountNameMustBePresentAndShort() throws {
        var world = World()
        world.refuse(
            .platform, .createAccount(name: "  ", locale: "en"), in: Platform.accountID,
            with: .invalid(field: "name", reason: "must not be empty"))
        world.refuse(
            .platform, .createAccount(name: String(repeating: "n", count: 256), locale: "en"), in: Platform.accountID,
            with: .invalid(field: "name", reason: "at most 255 characters"))
        world.refuse(
            .platform, .createAccount(name: "Acme", locale: ""), in: Platform.accountID,
            with: .invalid(field: "locale", reason: "must not be empty"))
        let events = try world.run(
            .platform, .createAccount(name: String(repeating: "n", count: 255), locale: "en"), in: Platform.accountID)
        #expect(events.count == 1)
    }

    @Test func administratorUpdatesAccount() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(.user(acme.admin), .updateAccount(name: "Acme Inc", locale: "fr"), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.admin), streams: ["account:1", "audit:1"],
                    body: .accountUpdated(AccountUpdated(name: "Acme Inc", locale: "fr")))
            ])
        #expect(world.state.accounts[acme.account]?.name == "Acme Inc")
        world.refuse(
            .user(acme.agent), .updateAccount(name: "Mine", locale: "en"), in: acme.account,
            with: .forbidden("administrators only"))
    }

    @Test func theLastAdministratorCannotBeDemotedOrRemoved() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let keep = DomainError.invalid(field: "role", reason: "an account keeps at least one administrator")
        world.refuse(.user(acme.admin), .updateAccountUser(userID: acme.admin, role: .agent), in: acme.account, with: keep)
        world.refuse(.user(acme.admin), .removeAccountUser(userID: acme.admin), in: acme.account, with: keep)
        world.refuse(.platform, .removeAccountUser(userID: acme.admin), in: acme.account, with: keep)
        _ = try world.run(.user(acme.admin), .updateAccountUser(userID: acme.agent, role: .administrator), in: acme.account)
        let removed = try world.run(.user(acme.agent), .removeAccountUser(userID: acme.admin), in: acme.account)
        #expect(removed.contains { if case .accountUserRemoved = $0.body { true } else { false } })
        #expect(world.state.accounts[acme.account]?.members == [acme.agent: .administrator, acme.outsider: .agent])
    }

    @Test func platformCreatesUserWithToken() throws {
        var world = World()
        let hash = tokenHash(42)
        let events = try world.run(
            .platform, .createUser(name: "Ada", email: "ada@example.com", tokenSha256: hash), in: Platform.accountID)
        #expect(
            events == [
                DomainEvent(
                    accountID: Platform.accountID, actor: .system, streams: ["platform", "user:1"],
                    body: .userCreated(UserCreated(userID: 1, name: "Ada", email: "ada@example.com"))),
                DomainEvent(
                    accountID: Platform.accountID, actor: .system, streams: ["platform", "user:1"],
                    body: .accessTokenIssued(AccessTokenIssued(userID: 1, tokenSha256: hash))),
            ])
        #expect(world.state.users[1] == UserRecord(name: "Ada", email: "ada@example.com", tokenSha256: hash))
        let second = try world.createUser("Bob", email: "bob@example.com")
        #expect(second == 2)
    }

    @Test func userEmailIsUniqueIgnoringCase() throws {
        var world = World()
        _ = try world.createUser("Ada", email: "ada@example.com")
        world.refuse(
            .platform, .createUser(name: "Ada Two", email: "ADA@Example.com", tokenSha256: tokenHash(9)),
            in: Platform.accountID, with: .conflict("user with email ADA@Example.com"))
    }

    @Test(arguments: ["ada", "ada@example", "@example.com", "ada @example.com", "a@b@example.com"])
    func userEmailMustBeAnAddress(email: String) {
        var world = World()
        world.refuse(
            .platform, .createUser(name: "Ada", email: email, tokenSha256: tokenHash(1)), in: Platform.accountID,
            with: .invalid(field: "email", reason: "not an email address"))
    }

    @Test(arguments: [
        String(repeating: "a", count: 63), String(repeating: "a", count: 65),
        String(repeating: "a", count: 63) + "g", "",
    ])
    func tokenHashMustBe64HexDigits(hash: String) {
        var world = World()
        world.refuse(
            .platform, .createUser(name: "Ada", email: "ada@example.com", tokenSha256: hash), in: Platform.accountID,
            with: .invalid(field: "token", reason: "expected a SHA-256 digest in hex"))
    }

    @Test func userOrPlatformIssuesTheUsersToken() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let own = try world.run(.user(acme.agent), .issueAccessToken(userID: acme.agent, tokenSha256: tokenHash(77)), in: acme.account)
        #expect(
            own == [
                DomainEvent(
                    accountID: Platform.accountID, actor: .agent(acme.agent),
                    streams: ["platform", StreamNames.user(acme.agent)],
                    body: .accessTokenIssued(AccessTokenIssued(userID: acme.agent, tokenSha256: tokenHash(77))))
            ])
        #expect(world.state.users[acme.agent]?.tokenSha256 == tokenHash(77))
        try world.run(.platform, .issueAccessToken(userID: acme.agent, tokenSha256: tokenHash(78)), in: Platform.accountID)
        #expect(world.state.users[acme.agent]?.tokenSha256 == tokenHash(78))

        let denied = DomainError.forbidden("only the user or a platform app may issue the user's token")
        world.refuse(
            .user(acme.admin), .issueAccessToken(userID: acme.agent, tokenSha256: tokenHash(79)), in: acme.account,
            with: denied)
        world.refuse(
            .system, .issueAccessToken(userID: acme.agent, tokenSha256: tokenHash(79)), in: acme.account, with: denied)
        world.refuse(
            .platform, .issueAccessToken(userID: 999, tokenSha256: tokenHash(79)), in: Platform.accountID,
            with: .notFound("user 999"))
        world.refuse(
            .user(acme.agent), .issueAccessToken(userID: acme.agent, tokenSha256: "not-hex"), in: acme.account,
            with: .invalid(field: "token", reason: "expected a SHA-256 digest in hex"))
    }

    @Test func administratorsAndPlatformManageMemberships() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let newcomer = try world.createUser("Newcomer", email: "new@example.com")
        let added = try world.run(.platform, .addAccountUser(userID: newcomer, role: .agent), in: acme.account)
        #expect(
            added == [
                DomainEvent(
                    accountID: acme.account, actor: .system,
                    streams: ["account:1", "audit:1", StreamNames.user(newcomer)],
                    body: .accountUserAdded(AccountUserAdded(userID: newcomer, role: .agent)))
            ])
        #expect(world.state.accounts[acme.account]?.members[newcomer] == .agent)

        world.refuse(
            .platform, .addAccountUser(userID: newcomer, role: .administrator), in: acme.account,
            with: .conflict("membership of user \(newcomer)"))
        world.refuse(.platform, .addAccountUser(userID: 999, role: .agent), in: acme.account, with: .notFound("user 999"))
        // An administrator cannot probe ids: the same refusal for a real user and for none.
        world.refuse(.user(acme.admin), .addAccountUser(userID: 999, role: .agent), in: acme.account, with: .forbidden("platform apps only"))

        try world.run(.platform, .updateAccountUser(userID: newcomer, role: .administrator), in: acme.account)
        #expect(world.state.accounts[acme.account]?.members[newcomer] == .administrator)
        world.refuse(
            .user(acme.admin), .updateAccountUser(userID: 999, role: .agent), in: acme.account,
            with: .notFound("user 999"))
    }

    @Test func promotedAgentGainsAdministratorRights() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent), .createTeam(name: "Sales", description: ""), in: acme.account,
            with: .forbidden("administrators only"))
        try world.run(.user(acme.admin), .updateAccountUser(userID: acme.agent, role: .administrator), in: acme.account)
        let events = try world.run(.user(acme.agent), .createTeam(name: "Sales", description: ""), in: acme.account)
        #expect(events.map(\.type) == ["team.created"])
    }

    @Test func removedMemberLeavesInboxesTeamsAndTheAccount() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.admin), .createTeam(name: "Sales", description: ""), in: acme.account)
        try world.run(.user(acme.admin), .setTeamMembers(teamID: 1, userIDs: [acme.agent]), in: acme.account)
        let removed = try world.run(.user(acme.admin), .removeAccountUser(userID: acme.agent), in: acme.account)
        #expect(
            removed == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.admin),
                    streams: ["account:1", "audit:1", StreamNames.user(acme.agent)],
                    body: .accountUserRemoved(AccountUserRemoved(userID: acme.agent)))
            ])
        let account = try #require(world.state.accounts[acme.account])
        #expect(account.members[acme.agent] == nil)
        #expect(account.inboxes[acme.inbox]?.members.isEmpty == true)
        #expect(account.teams[1]?.members.isEmpty == true)
        // A former member is told the account does not exist.
        world.refuse(
            .user(acme.agent), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "hi")),
            in: acme.account, with: .notFound("account \(acme.account)"))
        world.refuse(
            .user(acme.admin), .removeAccountUser(userID: acme.agent), in: acme.account,
            with: .notFound("user \(acme.agent)"))
    }

    @Test func usersSetTheirAvailability() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(.user(acme.agent), .setAvailability(.busy), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent),
                    streams: ["account:1", StreamNames.user(acme.agent)],
                    body: .availabilityChanged(AvailabilityChanged(userID: acme.agent, availability: .busy)))
            ])
        #expect(world.state.users[acme.agent]?.availability == .busy)
        world.refuse(.platform, .setAvailability(.online), in: acme.account, with: .forbidden("users only"))
        world.refuse(.contact(acme.contact), .setAvailability(.online), in: acme.account, with: .forbidden("users only"))
        let stranger = try world.createUser("Stranger", email: "stranger@example.com")
        world.refuse(.user(stranger), .setAvailability(.online), in: acme.account, with: .notFound("account 1"))
    }
}
