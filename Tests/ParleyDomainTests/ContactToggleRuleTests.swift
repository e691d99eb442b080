import ParleyDomain
import Testing

/// A contact's status toggle only resolves, as Chatwoot's Public API does:
/// it never reopens or opens a conversation.
@Suite struct ContactToggleRuleTests {
    @Test func aContactsToggleResolvesAndNeverReopens() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let resolved = try world.run(
            .contact(acme.contact), .toggleStatus(conversationID: acme.conversation, status: nil, snoozedUntil: nil), in: acme.account)
        #expect(resolved.first?.type == "conversation.status_changed")
        #expect(world.state.accounts[acme.account]?.conversations[acme.conversation]?.status == .resolved)
        let again = try world.run(
            .contact(acme.contact), .toggleStatus(conversationID: acme.conversation, status: nil, snoozedUntil: nil), in: acme.account)
        #expect(again.isEmpty)
        #expect(world.state.accounts[acme.account]?.conversations[acme.conversation]?.status == .resolved)
    }
}
