import Hummingbird
import ParleyDomain
import ParleyProjections

/// A conversation's messages: the list, sending, editing and soft-deleting.
/// Edits and deletes answer at Chatwoot's path
/// (`conversations/{id}/messages/{message_id}`) and at the SDK's (`messages/{message_id}`).
extension ParleyAPI {
    func addMessageRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("conversations/:conversation_id/messages") { request, context in
            try await self.listMessages(request, context: context)
        }
        account.post("conversations/:conversation_id/messages") { request, context in
            try await self.sendMessage(request, context: context)
        }
        for path in ["conversations/:conversation_id/messages/:message_id", "messages/:message_id"] {
            account.patch(RouterPath(path)) { request, context in try await self.editMessage(request, context: context) }
            account.delete(RouterPath(path)) { request, context in try await self.deleteMessage(request, context: context) }
        }
    }

    /// The latest 20 messages, the 20 before `before`, or the 100 after
    /// `after` (below `before` when both are given), oldest first, private
    /// notes included: every caller here is an agent.
    func listMessages(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let view = try visibleConversation(context, for: member)
        let parameters = QueryParameters(request)
        let before = try parameters.id("before")
        let after = try parameters.id("after")
        let entries = read { projections in
            projections.conversations.messages(
                account: member.accountID, conversation: view.id, before: after == nil ? before : nil, after: after,
                limit: after == nil ? 20 : 100, includePrivate: true)
        }.filter { entry in before.map { entry.id < $0 } ?? true }
        let messages = renderMessages(try await loadMessages(entries, account: member.accountID, inbox: view.inboxID))
        let meta = read { projections -> JSONOut in
            let directory = projections.directory
            var meta: [(String, JSONOut)] = [
                ("labels", .array(view.labels.map { .string($0) })), ("additional_attributes", [:]),
                ("contact", directory.contact(view.contactID, account: member.accountID).map(JSONOut.contactSender) ?? nil),
            ]
            if let assignee = view.assigneeID.flatMap({ directory.user($0) }) { meta.append(("assignee", .userSender(assignee))) }
            let caller = Participant(type: .user, id: member.user.id)
            meta.append(("agent_last_seen_at", .lastSeen(view, participant: caller, projections: projections)))
            var assigneeSeen: JSONOut = 0
            if let assignee = view.assigneeID {
                assigneeSeen = .lastSeen(view, participant: Participant(type: .user, id: assignee), projections: projections)
            }
            meta.append(("assignee_last_seen_at", assigneeSeen))
            return .object(meta)
        }
        return JSONResponse(["meta": meta, "payload": .array(messages)])
    }

    /// `{content, message_type, private, content_type, content_attributes, echo_id}`.
    /// Without an `Idempotency-Key` header, `echo_id` is the key: a retried
    /// send answers with the message it first made and appends nothing.
    func sendMessage(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let view = try visibleConversation(context, for: member)
        var body = try await self.body(request)
        return JSONResponse(try await sendMessage(&body, in: view, by: member, key: try idempotencyKey(request)))
    }

    /// Sends the message `body` describes; the realtime gateway's
    /// `message.create` comes here too. `key` is the request's own key, if any.
    func sendMessage(_ body: inout JSONBody, in view: ConversationView, by member: Member, key: String?) async throws -> JSONOut {
        let content = try body.string("content", maxLength: Limits.maxContentLength * 4) ?? ""
        let type = try Self.messageType(&body) ?? .outgoing
        let isPrivate = try body.bool("private") ?? false
        let contentType = try Self.contentType(&body) ?? "text"
        let attributes = try body.object("content_attributes") ?? [:]
        let echo = try body.string("echo_id", maxLength: Limits.maxNameLength)
        body.ignore("template_params")
        try body.finish()
        let key = key ?? echo.map { "echo:" + $0 }
        let message = NewMessage(
            content: content, messageType: type, isPrivate: isPrivate, contentType: contentType, contentAttributes: attributes,
            echoID: echo)
        let outcome = try await execute(member.command(.sendMessage(conversationID: view.id, message: message)), idempotencyKey: key)
        let sent = outcome.events.lazy.compactMap { stored -> (created: MessageCreated, at: UInt64)? in
            if case .messageCreated(let created) = stored.event.body { return (created, stored.entry.timestamp) }
            return nil
        }.last
        guard let sent else { throw APIError.notFound("message") }
        // A retry answers with the message as it stands now (it may have been
        // edited since); a new message is rendered from the event just
        // stored, without reading it back from the log.
        let state =
            outcome.deduplicated
            ? try await loadMessage(sent.created.messageID, for: member)
            : MessageState(accountID: member.accountID, inboxID: view.inboxID, created: sent.created, createdAt: sent.at, edit: nil, deleted: false)
        return renderMessages([state])[0]
    }

    /// `message_type` as Chatwoot takes it: a name or its integer.
    static func messageType(_ body: inout JSONBody) throws -> MessageType? {
        if let number = try? body.int("message_type", in: 0...3) { return MessageType(rawValue: number) }
        let names: [String: MessageType] = ["incoming": .incoming, "outgoing": .outgoing, "activity": .activity, "template": .template]
        do {
            guard let name = try body.string("message_type", maxLength: 20) else { return nil }
            if let type = names[name] { return type }
        } catch {}
        throw APIError.invalid("message_type", "must be incoming, outgoing, activity, template or 0 to 3")
    }

    /// The message in the path, checked against the conversation in the path when there is one.
    private func pathMessage(_ context: ParleyRequestContext, member: Member) throws -> (ConversationView, MessageIndexEntry) {
        let id = try context.pathID("message_id")
        let (conversation, entry) = try visibleMessage(id, for: member)
        if context.parameters.get("conversation_id") != nil, try context.pathID("conversation_id") != conversation.id {
            throw APIError.notFound("message \(id)")
        }
        return (conversation, entry)
    }

    /// `{content, content_attributes}`: agents edit their own messages, administrators any.
    func editMessage(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let (conversation, entry) = try pathMessage(context, member: member)
        var body = try await self.body(request)
        let content = try body.string("content", maxLength: Limits.maxContentLength * 4)
        let attributes = try body.object("content_attributes")
        try body.finish()
        guard content != nil || attributes != nil else {
            throw APIError.badRequest("missing_field", "content or content_attributes is required")
        }
        guard let current = try await loadMessages([entry], account: member.accountID, inbox: conversation.inboxID).first else {
            throw APIError.notFound("message \(entry.id)")
        }
        _ = try await execute(
            member.command(
                .updateMessage(
                    conversationID: conversation.id, messageID: entry.id, content: content ?? current.content,
                    contentAttributes: attributes ?? current.contentAttributes)),
            idempotencyKey: try idempotencyKey(request))
        return JSONResponse(renderMessages([try await loadMessage(entry.id, for: member)])[0])
    }

    /// Soft-deletes: the message stays, shown as deleted. Deleting it again
    /// answers the same, changing nothing.
    func deleteMessage(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let (conversation, entry) = try pathMessage(context, member: member)
        if !entry.deleted {
            _ = try await execute(
                member.command(.deleteMessage(conversationID: conversation.id, messageID: entry.id)),
                idempotencyKey: try idempotencyKey(request))
        }
        return JSONResponse(renderMessages([try await loadMessage(entry.id, for: member)])[0])
    }
}
