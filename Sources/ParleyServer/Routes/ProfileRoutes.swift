import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/profile`: the caller's own user, and their availability.
extension ParleyAPI {
    func addProfileRoutes(to profile: RouterGroup<ParleyRequestContext>) {
        profile.get { request, _ in try self.profile(request) }
        profile.put { request, _ in try await self.setAvailability(request) }
        profile.patch { request, _ in try await self.setAvailability(request) }
        profile.post("availability") { request, _ in try await self.setAvailability(request) }
    }

    func profile(_ request: Request) throws -> JSONResponse {
        let user = try requireUser(request)
        // requireUser found the user by this very token.
        let token = presentedToken(request) ?? ""
        let memberships = read { $0.directory.memberships(of: user.id) }
        return JSONResponse(.profile(user, accessToken: token, memberships: memberships))
    }

    /// Chatwoot's `{"profile": {"availability", "account_id"}}`, or the same
    /// fields at the top level. The availability is the user's in every
    /// account; `account_id` (one of theirs, the first by default) is where
    /// the change is recorded.
    func setAvailability(_ request: Request) async throws -> JSONResponse {
        let user = try requireUser(request)
        var outer = try await self.body(request)
        let nested = try outer.nested("profile")
        var body = nested ?? outer
        let availability = try body.value("availability", as: AgentAvailability.self)
        let accountID = try body.id("account_id")
        try body.finish()
        if nested != nil { try outer.finish() }
        guard let availability else { throw APIError.badRequest("missing_field", "availability is required") }
        let memberships = read { $0.directory.memberships(of: user.id) }
        guard let account = accountID.map({ id in memberships.first { $0.account.id == id } }) ?? memberships.first else {
            throw APIError.notFound(accountID.map { "account \($0)" } ?? "an account of this user")
        }
        let command = Command(accountID: account.account.id, principal: .user(user.id), action: .setAvailability(availability.domain))
        _ = try await execute(command, idempotencyKey: try idempotencyKey(request))
        return try profile(request)
    }
}
