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

    /// The caller, the conversation in the path (if they see it), the body and the request's key.
    private func actionRequest(_ request: Request, context: ParleyRequestContext) async throws -> ActionRequest {
        let member = try requireMember(request, context: context)
        let view = try visibleConversation(context, for: member)
        return ActionRequest(member: member, view: view, body: try await self.body(request), key: try idempotencyKey(request))
    }

    /// Runs the action `read` makes of the body; answers with the conversation as it is now.
    private func act(_ call: inout ActionRequest, _ read: (inout JSONBody, ConversationView) throws -> Action) async throws
        -> ConversationView
    {
        let action = try read(&call.body, call.view)
        try call.body.finish()
        _ = try await execute(call.member.command(action), idempotencyKey: call.key)
        return try visibleConversation(call.view.id, for: call.member)
    }

    /// `{status, snoozed_until}`; without a status, open and resolved swap.
    func toggleStatus(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        var call = try await actionRequest(request, context: context)
        return JSONResponse(try await toggleStatus(&call))
    }

    func toggleStatus(_ call: inout ActionRequest) async throws -> JSONOut {
        let view = try await act(&call) { body, view in
            let status = try body.value("status", as: ConversationStatus.self)
            return .toggleStatus(
                conversationID: view.id, status: status, snoozedUntil: try Self.snoozedUntil(&body, status: status))
        }
        return [
            "meta": [:],
            "payload": [
                "success": true, "conversation_id": .uint(view.id), "current_status": .string(view.status.rawValue),
                "snoozed_until": .uint(view.snoozedUntil),
            ],
        ]
    }

    /// `{priority}`, required; null or "none" clears. Answered with an empty 200, as Chatwoot does.
    func togglePriority(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        var call = try await actionRequest(request, context: context)
        try await togglePriority(&call)
        return Response(status: .ok)
    }

    func togglePriority(_ call: inout ActionRequest) async throws {
        _ = try await act(&call) { body, view in
            guard body.has("priority") else { throw APIError.badRequest("missing_field", "priority is required") }
            return .setPriority(conversationID: view.id, priority: try Self.priority(&body))
        }
    }

    /// `{typing_status: on|off, is_private}`. Answered with an empty 200, as Chatwoot does.
    func toggleTyping(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        var call = try await actionRequest(request, context: context)
        try await toggleTyping(&call)
        return Response(status: .ok)
    }

    func toggleTyping(_ call: inout ActionRequest) async throws {
        _ = try await act(&call) { body, view in
            let status = try body.requiredString("typing_status", maxLength: 10)
            guard status == "on" || status == "off" else { throw APIError.invalid("typing_status", "must be on or off") }
            return .typing(conversationID: view.id, on: status == "on", isPrivate: try body.bool("is_private") ?? false)
        }
    }

    /// `update_last_seen` and `unread`: the caller's read cursor moves; answered with the conversation.
    func readMarker(_ request: Request, context: ParleyRequestContext, _ action: @escaping (UInt64) -> Action) async throws
        -> JSONResponse
    {
        var call = try await actionRequest(request, context: context)
        return JSONResponse(try await readMarker(&call, action))
    }

    func readMarker(_ call: inout ActionRequest, _ action: (UInt64) -> Action) async throws -> JSONOut {
        let view = try await act(&call) { _, view in action(view.id) }
        return try await renderConversation(view.id, for: call.member)
    }

    /// `{assignee_id}` answers with the agent (null when unassigned), `{team_id}`
    /// with the team; neither answers null, as Chatwoot does.
    func assignConversation(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        var call = try await actionRequest(request, context: context)
        return JSONResponse(try await assignConversation(&call))
    }

    func assignConversation(_ call: inout ActionRequest) async throws -> JSONOut {
        let (member, view) = (call.member, call.view)
        let action: Action?
        if call.body.has("assignee_id") {
            let assignee = try call.body.id("assignee_id")
            if let assignee { try requireAssignable(assignee, inbox: view.inboxID, member: member) }
            action = .assign(conversationID: view.id, assigneeID: assignee)
        } else if call.body.has("team_id") {
            action = .assignTeam(conversationID: view.id, teamID: try call.body.id("team_id"))
        } else {
            action = nil
        }
        call.body.ignore("assignee_type")
        try call.body.finish()
        guard let action else { return nil }
        _ = try await execute(member.command(action), idempotencyKey: call.key)
        let now = try visibleConversation(view.id, for: member)
        return read { projections -> JSONOut in
                let directory = projections.directory
                if case .assignTeam = action {
                    return now.teamID.flatMap { directory.team($0, account: member.accountID) }
                        .map { .team($0, isMember: $0.members.contains(member.user.id)) } ?? nil
                }
                guard let assignee = now.assigneeID, let user = directory.user(assignee) else { return nil }
                let role = directory.account(member.accountID)?.members[assignee] ?? .agent
                return .agent(user, role: role, accountID: member.accountID)
            }
    }

    /// `{labels: [...]}` replaces the conversation's labels.
    func setLabels(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        var call = try await actionRequest(request, context: context)
        return JSONResponse(try await setLabels(&call))
    }

    func setLabels(_ call: inout ActionRequest) async throws -> JSONOut {
        let view = try await act(&call) { body, view in
            let labels = try body.strings("labels", maxCount: Limits.maxLabels, maxLength: Limits.maxNameLength)
            guard let labels else { throw APIError.badRequest("missing_field", "labels is required") }
            return .setLabels(conversationID: view.id, labels: labels)
        }
        return .labelList(view.labels)
    }

    /// `{custom_attributes: {...}}` replaces the conversation's custom attributes.
    func setCustomAttributes(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        var call = try await actionRequest(request, context: context)
        let view = try await act(&call) { body, view in
            guard let attributes = try body.object("custom_attributes") else {
                throw APIError.badRequest("missing_field", "custom_attributes is required")
            }
            return .setCustomAttributes(conversationID: view.id, attributes: attributes)
        }
        return JSONResponse(["custom_attributes": JSONOut(view.customAttributes)])
    }
}

/// One action on a conversation: who asks, about which conversation (one
/// they see), with what body and idempotency key. HTTP routes and the
/// realtime gateway's `rpc` both make these.
struct ActionRequest {
    var member: Member
    var view: ConversationView
    var body: JSONBody
    var key: String?
}
