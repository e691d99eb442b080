import Hummingbird
import ParleyDomain
import ParleyProjections

/// The actions on one conversation: status, priority, typing, read markers,
/// assignment, labels and custom attributes. Each checks first that the
/// caller may see the conversation (404 otherwise), then lets the domain
/// decide.
extension ParleyAPI {
    func addConversationActionRoutes(to account: RouterGroup<ParleyRequestContext>) {
        let conversation = account.group("conversations/:conversation_id")
        conversation.post("toggle_status") { request, context in try await self.toggleStatus(request, context: context) }
        conversation.post("toggle_priority") { request, context in try await self.togglePriority(request, context: context) }
        conversation.post("toggle_typing_status") { request, context in try await self.toggleTyping(request, context: context) }
        conversation.post("update_last_seen") { request, context in
            try await self.readMarker(request, context: context) { .markRead(conversationID: $0) }
        }
        conversation.post("unread") { request, context in
            try await self.readMarker(request, context: context) { .markUnread(conversationID: $0) }
        }
        conversation.post("assignments") { request, context in try await self.assignConversation(request, context: context) }
        conversation.get("labels") { request, context in
            let member = try self.requireMember(request, context: context)
            return JSONResponse(.labelList(try self.visibleConversation(context, for: member).labels))
        }
        conversation.post("labels") { request, context in try await self.setLabels(request, context: context) }
        conversation.post("custom_attributes") { request, context in try await self.setCustomAttributes(request, context: context) }
    }

    /// Runs one action on the conversation in the path, once the caller is known to see it.
    private func act(
        _ request: Request, context: ParleyRequestContext, _ read: (inout JSONBody, ConversationView) throws -> Action
    ) async throws -> (Member, ConversationView) {
        let member = try requireMember(request, context: context)
        let view = try visibleConversation(context, for: member)
        var body = try await self.body(request)
        let action = try read(&body, view)
        try body.finish()
        _ = try await execute(member.command(action), idempotencyKey: try idempotencyKey(request))
        return (member, try visibleConversation(view.id, for: member))
    }

    /// `{status, snoozed_until}`; without a status, open and resolved swap.
    func toggleStatus(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let (_, view) = try await act(request, context: context) { body, view in
            let status = try body.value("status", as: ConversationStatus.self)
            return .toggleStatus(
                conversationID: view.id, status: status, snoozedUntil: try Self.snoozedUntil(&body, status: status))
        }
        return JSONResponse([
            "meta": [:],
            "payload": [
                "success": true, "conversation_id": .uint(view.id), "current_status": .string(view.status.rawValue),
                "snoozed_until": .uint(view.snoozedUntil),
            ],
        ])
    }

    /// `{priority}`, required; null or "none" clears. Answered with an empty 200, as Chatwoot does.
    func togglePriority(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        _ = try await act(request, context: context) { body, view in
            guard body.has("priority") else { throw APIError.badRequest("missing_field", "priority is required") }
            return .setPriority(conversationID: view.id, priority: try Self.priority(&body))
        }
        return Response(status: .ok)
    }

    /// `{typing_status: on|off, is_private}`. Answered with an empty 200, as Chatwoot does.
    func toggleTyping(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        _ = try await act(request, context: context) { body, view in
            let status = try body.requiredString("typing_status", maxLength: 10)
            guard status == "on" || status == "off" else { throw APIError.invalid("typing_status", "must be on or off") }
            return .typing(conversationID: view.id, on: status == "on", isPrivate: try body.bool("is_private") ?? false)
        }
        return Response(status: .ok)
    }

    /// `update_last_seen` and `unread`: the caller's read cursor moves; answered with the conversation.
    func readMarker(_ request: Request, context: ParleyRequestContext, _ action: @escaping (UInt64) -> Action) async throws
        -> JSONResponse
    {
        let (member, view) = try await act(request, context: context) { _, view in action(view.id) }
        return JSONResponse(try await renderConversation(view.id, for: member))
    }

    /// `{assignee_id}` answers with the agent (null when unassigned), `{team_id}`
    /// with the team; neither answers null, as Chatwoot does.
    func assignConversation(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let view = try visibleConversation(context, for: member)
        var body = try await self.body(request)
        let action: Action?
        if body.has("assignee_id") {
            let assignee = try body.id("assignee_id")
            if let assignee { try requireAssignable(assignee, inbox: view.inboxID, member: member) }
            action = .assign(conversationID: view.id, assigneeID: assignee)
        } else if body.has("team_id") {
            action = .assignTeam(conversationID: view.id, teamID: try body.id("team_id"))
        } else {
            action = nil
        }
        body.ignore("assignee_type")
        try body.finish()
        guard let action else { return JSONResponse(nil) }
        _ = try await execute(member.command(action), idempotencyKey: try idempotencyKey(request))
        let now = try visibleConversation(view.id, for: member)
        return JSONResponse(
            read { projections -> JSONOut in
                let directory = projections.directory
                if case .assignTeam = action {
                    return now.teamID.flatMap { directory.team($0, account: member.accountID) }
                        .map { .team($0, isMember: $0.members.contains(member.user.id)) } ?? nil
                }
                guard let assignee = now.assigneeID, let user = directory.user(assignee) else { return nil }
                let role = directory.account(member.accountID)?.members[assignee] ?? .agent
                return .agent(user, role: role, accountID: member.accountID)
            })
    }

    /// `{labels: [...]}` replaces the conversation's labels.
    func setLabels(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let (_, view) = try await act(request, context: context) { body, view in
            let labels = try body.strings("labels", maxCount: Limits.maxLabels, maxLength: Limits.maxNameLength)
            guard let labels else { throw APIError.badRequest("missing_field", "labels is required") }
            return .setLabels(conversationID: view.id, labels: labels)
        }
        return JSONResponse(.labelList(view.labels))
    }

    /// `{custom_attributes: {...}}` replaces the conversation's custom attributes.
    func setCustomAttributes(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let (_, view) = try await act(request, context: context) { body, view in
            guard let attributes = try body.object("custom_attributes") else {
                throw APIError.badRequest("missing_field", "custom_attributes is required")
            }
            return .setCustomAttributes(conversationID: view.id, attributes: attributes)
        }
        return JSONResponse(["custom_attributes": JSONOut(view.customAttributes)])
    }
}
