import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{id}/teams` and `teams/{id}/team_members`: members see
/// teams, administrators create them and set their members. Parley's teams
/// are not renamed or deleted, so those routes do not exist.
extension ParleyAPI {
    func addTeamRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("teams") { request, context in
            let member = try self.requireMember(request, context: context)
            let teams = self.read { $0.directory.teams(account: member.accountID) }
            return JSONResponse(.array(teams.map { .team($0, isMember: $0.members.contains(member.user.id)) }))
        }
        account.get("teams/:team_id") { request, context in
            let member = try self.requireMember(request, context: context)
            let team = try self.team(try context.pathID("team_id"), of: member)
            return JSONResponse(.team(team, isMember: team.members.contains(member.user.id)))
        }
        account.post("teams") { request, context in try await self.createTeam(request, context: context) }

        account.get("teams/:team_id/team_members") { request, context in
            let member = try self.requireMember(request, context: context)
            return JSONResponse(self.agents(try self.team(try context.pathID("team_id"), of: member).members, of: member))
        }
        // As Chatwoot's: adding and replacing answer with the agents named.
        account.post("teams/:team_id/team_members") { request, context in
            try await self.changeTeamMembers(request, context: context) { current, given in current + given }
        }
        account.patch("teams/:team_id/team_members") { request, context in
            try await self.changeTeamMembers(request, context: context) { _, given in given }
        }
        account.delete("teams/:team_id/team_members") { request, context in
            _ = try await self.changeTeamMembers(request, context: context) { current, given in
                current.filter { !given.contains($0) }
            }
            return Self.emptyOK
        }
    }

    private func team(_ id: UInt64, of member: Member) throws -> TeamView {
        guard let team = read({ $0.directory.team(id, account: member.accountID) }) else { throw APIError.notFound("team \(id)") }
        return team
    }

    func createTeam(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        var body = try await self.body(request)
        let name = try body.requiredString("name", maxLength: Limits.maxNameLength * 4)
        let description = try body.string("description", maxLength: Limits.maxNameLength * 4) ?? ""
        if try body.bool("allow_auto_assign") == false {
            throw APIError.unprocessable("allow_auto_assign", "Parley's teams always take auto-assignment")
        }
        try body.finish()
        let outcome = try await execute(
            member.command(.createTeam(name: name, description: description)), idempotencyKey: try idempotencyKey(request))
        let id = try outcome.first { if case .teamCreated(let e) = $0 { e.teamID } else { nil } }
        let team = try team(id, of: member)
        return JSONResponse(.team(team, isMember: team.members.contains(member.user.id)))
    }

    /// Sets a team's members to `change(current, given)` for the `{user_ids}`
    /// body and answers with the agents given.
    func changeTeamMembers(
        _ request: Request, context: ParleyRequestContext, _ change: ([UInt64], [UInt64]) -> [UInt64]
    ) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        let team = try team(try context.pathID("team_id"), of: member)
        var body = try await self.body(request)
        guard let given = try body.ids("user_ids") else { throw APIError.badRequest("missing_field", "user_ids is required") }
        try body.finish()
        try requireMembers(given, of: member)
        _ = try await execute(
            member.command(.setTeamMembers(teamID: team.id, userIDs: change(team.members, given))),
            idempotencyKey: try idempotencyKey(request))
        return JSONResponse(agents(Array(Set(given)).sorted(), of: member))
    }
}
