import Foundation
import Hummingbird
import ParleyDomain
import ParleyProjections

/// The Application API for everything but conversations and messages: the
/// account, contacts, inboxes and their members, agents, teams, labels,
/// canned responses, webhooks, audit logs and the caller's profile.
extension ParleyAPI {
    func addDirectoryRoutes(to router: Router<ParleyRequestContext>) {
        let account = router.group("api/v1/accounts/:account_id")
        addAccountRoutes(to: account)
        addContactRoutes(to: account)
        addInboxRoutes(to: account)
        addAgentRoutes(to: account)
        addTeamRoutes(to: account)
        addAccountConfigurationRoutes(to: account)
        addAuditRoutes(to: account)
        addProfileRoutes(to: router.group("api/v1/profile"))
    }

    /// Chatwoot's `head :ok`: what its deletes answer.
    static var emptyOK: Response { Response(status: .ok) }

    /// Ids of an account's members, checked: an id that is not a member is a 404.
    func requireMembers(_ userIDs: [UInt64], of member: Member) throws {
        for id in userIDs where member.account.members[id] == nil { throw APIError.notFound("user \(id)") }
    }

    /// Users of the caller's account as agents, in the order of `userIDs`.
    func agents(_ userIDs: [UInt64], of member: Member) -> JSONOut {
        read { projections in
            .array(
                userIDs.compactMap { id in
                    guard let role = member.account.members[id], let user = projections.directory.user(id) else { return nil }
                    return .agent(user, role: role, accountID: member.accountID)
                })
        }
    }
}

extension CommandOutcome {
    /// The first of its events `match` picks out (a created thing's id, say).
    func first<T>(_ match: (EventBody) -> T?) throws -> T {
        for stored in events {
            if let value = match(stored.event.body) { return value }
        }
        throw APIError(.conflict, code: "conflict", message: "the command changed nothing")
    }
}

extension QueryParameters {
    /// Chatwoot's `page`: 1 when absent; anything but 1 to 100 000 is refused.
    func page() throws -> Int {
        try int("page", in: 1...100_000) ?? 1
    }
}
