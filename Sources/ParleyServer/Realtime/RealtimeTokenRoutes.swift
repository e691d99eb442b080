import Hummingbird
import ParleyDomain
import ParleyProjections

/// `POST /api/v1/accounts/{account_id}/realtime_token`: a connection token
/// for `/connection/websocket`, with the channels the caller may subscribe
/// to now (their user channel, and the account and inbox channels their
/// role opens; conversation channels of those inboxes are open too, and not
/// listed).
extension ParleyAPI {
    func addRealtimeTokenRoutes(to router: Router<ParleyRequestContext>) {
        router.post("api/v1/accounts/:account_id/realtime_token") { request, context in
            let member = try self.requireMember(request, context: context)
            try await self.body(request).finish()
            let (token, expiresAt) = self.realtimeToken(for: member)
            return JSONResponse([
                "token": .string(token), "expires_at": .uint(expiresAt),
                "channels": .array(self.realtimeChannels(for: member).map { .string($0) }),
            ])
        }
    }

    func realtimeChannels(for member: Member) -> [String] {
        let account = member.accountID
        var channels = [StreamNames.user(member.user.id)]
        if member.isAdministrator { channels.append(StreamNames.account(account)) }
        let inboxes = read { projections in projections.directory.inboxes(account: account).filter(member.worksIn).map(\.id) }
        channels += inboxes.sorted().map { StreamNames.inbox(account, $0) }
        return channels
    }
}
