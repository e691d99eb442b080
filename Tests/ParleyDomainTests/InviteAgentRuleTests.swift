import ParleyDomain
import Testing

/// Administrators add agents by email: a new user is created with the given
/// token, an existing one is added; nobody else may, and nobody twice.
@Suite struct InviteAgentRuleTests {
    static let token = String(repeating: "cd", count: 32)

    @Test func aNewEmailCreatesTheUserAndAddsThem() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let next = world.state.nextUserID
        let events = try world.run(
            .user(acme.admin), .inviteAgent(name: "Dee", email: "Dee@Example.com", role: .agent, tokenSha256: Self.token),
            in: acme.account)
        #expect(events.map(\.type) == ["user.created", "access_token.issued", "account_user.added"])
        #expect(events[0].accountID == Platform.accountID && events[2].accountID == acme.account)
        #expect(world.state.accounts[acme.account]?.members[next] == .agent)
        #expect(world.state.usersByEmail["dee@example.com"] == next)
    }

    @Test func anExistingEmailAddsThatUserOnce() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let globex = try world.tenant("Globex")
        let email = try #require(world.state.users[globex.agent]?.email)
        let events = try world.run(
            .user(acme.admin), .inviteAgent(name: "Ignored", email: email.uppercased(), role: .administrator, tokenSha256: Self.token),
            in: acme.account)
        #expect(events.map(\.type) == ["account_user.added"])
        #expect(world.state.accounts[acme.account]?.members[globex.agent] == .administrator)
        world.refuse(
            .user(acme.admin), .inviteAgent(name: "Again", email: email, role: .agent, tokenSha256: Self.token), in: acme.account,
            with: .conflict("agent with email \(email)"))
    }

    @Test func onlyAdministratorsInvite() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent), .inviteAgent(name: "Eve", email: "eve@example.com", role: .agent, tokenSha256: Self.token),
            in: acme.account, with: .forbidden("administrators only"))
        world.refuse(
            .user(acme.admin), .inviteAgent(name: "Eve", email: "not an email", role: .agent, tokenSha256: Self.token),
            in: acme.account, with: .invalid(field: "email", reason: "not an email address"))
    }
}
