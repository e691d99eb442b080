import ParleyDomain
import Testing

/// Removing a member unassigns their conversations, each with its activity
/// message, before the membership ends: nothing stays with someone gone.
@Suite struct MemberRemovalRuleTests {
    @Test func removingAMemberUnassignsTheirConversations() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.admin), .assign(conversationID: acme.conversation, assigneeID: acme.agent), in: acme.account)
        let events = try world.run(.user(acme.admin), .removeAccountUser(userID: acme.agent), in: acme.account)
        #expect(events.map(\.type) == ["assignee.changed", "message.created", "account_user.removed"])
        guard case .assigneeChanged(let change) = events[0].body else {
            Issue.record("not an assignment")
            return
        }
        #expect(change.assigneeID == nil && change.previousAssigneeID == acme.agent)
        #expect(!events[0].streams.contains(StreamNames.user(acme.agent)))
        #expect(world.conversation(acme.conversation, in: acme.account)?.assigneeID == nil)
        #expect(world.state.accounts[acme.account]?.assignments[acme.agent]?.isEmpty != false)
        #expect(world.state.accounts[acme.account]?.members[acme.agent] == nil)
    }
}
