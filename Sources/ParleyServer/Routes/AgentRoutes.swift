import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{id}/agents`: every member lists the account's agents;
/// administrators invite, change and remove them. No response carries a token.
extension ParleyAPI {
    func addAgentRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("agents") { request, context in
            let member = try self.requireMember(request, context: context)
            // Chatwoot orders agents by name.
            let ids = self.read { projections in
                member.account.members.keys.compactMap { projections.directory.user($0) }
                    .sorted { ($0.name.lowercased(), $0.id) < ($1.name.lowercased(), $1.id) }.map(\.id)
            }
            return JSONResponse(self.agents(ids, of: member))
        }
        account.post("agents") { request, context in try await self.inviteAgent(request, context: context) }
        account.patch("agents/:agent_id") { request, context in try await self.updateAgent(request, context: context) }
        account.put("agents/:agent_id") { request, context in try await self.updateAgent(request, context: context) }
        account.delete("agents/:agent_id") { request, context in
            let member = try self.requireAdministrator(request, context: context)
            let id = try context.pathID("agent_id")
            try self.requireMembers([id], of: member)
            _ = try await self.execute(member.command(.removeAccountUser(userID: id)), idempotencyKey: try self.idempotencyKey(request))
            return Self.emptyOK
        }
    }

    /// The user `id` as an agent of the member's account, as it is now.
    private func agent(_ id: UInt64, of member: Member) throws -> JSONOut {
        try read { projections in
            guard let role = projections.directory.account(member.accountID)?.members[id], let user = projections.directory.user(id)
            else { throw APIError.notFound("agent \(id)") }
            return .agent(user, role: role, accountID: member.accountID)
        }
    }

    /// Chatwoot's agent creation: the user is created (with a token only
    /// they will be given, through the platform) unless one has the email.
    func inviteAgent(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        var body = try await self.body(request)
        let name = try body.requiredString("name", maxLength: Limits.maxNameLength * 4)
        let email = try body.requiredString("email", maxLength: Limits.maxNameLength * 4)
        let role = try body.value("role", as: Role.self) ?? .agent
        body.ignore("auto_offline")
        try body.finish()
        let key = try idempotencyKey(request)
        let token = secretSource(key: key, for: member, "agents").make("access_token")
        let outcome = try await execute(
            member.command(.inviteAgent(name: name, email: email, role: role, tokenSha256: Crypto.sha256Hex(token))),
            idempotencyKey: key)
        let id = try outcome.first { if case .accountUserAdded(let e) = $0 { e.userID } else { nil } }
        return JSONResponse(try agent(id, of: member))
    }

    /// Changes an agent's role; `availability` only for the caller's own
    /// (Parley keeps one availability per user, which only the user sets).
    func updateAgent(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        let id = try context.pathID("agent_id")
        try requireMembers([id], of: member)
        guard let user = read({ $0.directory.user(id) }) else { throw APIError.notFound("agent \(id)") }
        var body = try await self.body(request)
        let role = try body.value("role", as: Role.self)
        let availability = try body.value("availability", as: AgentAvailability.self)
        if let name = try body.string("name", maxLength: Limits.maxNameLength * 4), name != user.name {
            throw APIError.unprocessable("name", "users rename themselves; an agent's name is not changed here")
        }
        body.ignore("auto_offline")
        try body.finish()
        if availability != nil && id != member.user.id {
            throw APIError.unprocessable("availability", "only the agent sets their own")
        }
        let key = try idempotencyKey(request)
        if let role {
            _ = try await execute(member.command(.updateAccountUser(userID: id, role: role)), idempotencyKey: key)
        }
        if let availability {
            _ = try await execute(member.command(.setAvailability(availability.domain)), idempotencyKey: key)
        }
        return JSONResponse(try agent(id, of: member))
    }
}

/// The availabilities Chatwoot's API takes; its clients know no other.
enum AgentAvailability: String, CaseIterable {
    case online, busy, offline

    var domain: Availability {
        switch self {
        case .online: .online
        case .busy: .busy
        case .offline: .offline
        }
    }
}
