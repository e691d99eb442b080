import Hummingbird
import ParleyDomain
import ParleyProjections

/// The Public API's conversations: a contact's conversations in the path's
/// inbox, typing, read markers and resolving.
extension ParleyAPI {
    func publicConversations(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        let ids = try await contactConversationIDs(account: caller.accountID, contact: caller.contact.id, inbox: caller.inbox.id)
        var rendered: [JSONOut] = []
        for id in ids {
            guard let conversation = read({ $0.conversations.conversation(account: caller.accountID, id: id) }) else { continue }
            rendered.append(try await publicConversationJSON(conversation, caller: caller))
        }
        return JSONResponse(.array(rendered))
    }

    func createPublicConversation(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        var body = try await self.body(request)
        let customAttributes = try body.object("custom_attributes") ?? [:]
        try body.finish()
        let outcome = try await execute(
            caller.command(
                .createConversation(
                    NewConversation(
                        inboxID: caller.inbox.id, contactID: caller.contact.id, sourceID: caller.sourceID,
                        customAttributes: customAttributes))),
            idempotencyKey: try idempotencyKey(request))
        guard let id = outcome.events.lazy.compactMap(\.createdConversationID).first,
            let conversation = read({ $0.conversations.conversation(account: caller.accountID, id: id) })
        else { throw APIError.notFound("conversation") }
        return JSONResponse(try await publicConversationJSON(conversation, caller: caller))
    }

    func showPublicConversation(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        let conversation = try publicConversation(caller, context: context)
        return JSONResponse(try await publicConversationJSON(conversation, caller: caller))
    }

    /// `{typing_status: on|off}`; typing is delivered live and never stored for long.
    func togglePublicTyping(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        let conversation = try publicConversation(caller, context: context)
        var body = try await self.body(request)
        return JSONResponse(try await publicTyping(&body, in: conversation, by: caller))
    }

    func publicTyping(_ body: inout JSONBody, in conversation: ConversationView, by caller: PublicCaller) async throws -> JSONOut {
        guard let status = try body.value("typing_status", as: TypingStatus.self) else {
            throw APIError.badRequest("missing_field", "typing_status is required")
        }
        try body.finish()
        _ = try await execute(
            caller.command(.typing(conversationID: conversation.id, on: status == .on, isPrivate: false)), idempotencyKey: nil)
        return [:]
    }

    /// The contact has read everything so far.
    func updatePublicLastSeen(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        let conversation = try publicConversation(caller, context: context)
        var body = try await self.body(request)
        return JSONResponse(try await publicLastSeen(&body, in: conversation, by: caller, key: try idempotencyKey(request)))
    }

    func publicLastSeen(_ body: inout JSONBody, in conversation: ConversationView, by caller: PublicCaller, key: String?)
        async throws -> JSONOut
    {
        try body.finish()
        _ = try await execute(caller.command(.markRead(conversationID: conversation.id)), idempotencyKey: key)
        return [:]
    }

    /// Resolves the conversation: a contact's toggle only resolves (Chatwoot's
    /// Public API does the same); a resolved conversation stays resolved.
    func togglePublicStatus(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        let conversation = try publicConversation(caller, context: context)
        var body = try await self.body(request)
        return JSONResponse(try await publicToggleStatus(&body, in: conversation, by: caller, key: try idempotencyKey(request)))
    }

    func publicToggleStatus(_ body: inout JSONBody, in conversation: ConversationView, by caller: PublicCaller, key: String?)
        async throws -> JSONOut
    {
        try body.finish()
        _ = try await execute(
            caller.command(.toggleStatus(conversationID: conversation.id, status: nil, snoozedUntil: nil)), idempotencyKey: key)
        guard let current = read({ $0.conversations.conversation(account: caller.accountID, id: conversation.id) }) else {
            throw APIError.notFound("conversation \(conversation.id)")
        }
        return try await publicConversationJSON(current, caller: caller)
    }

    /// A conversation as the Public API shows it: its latest messages the
    /// contact may see, and when the contact and the assignee last read it.
    func publicConversationJSON(_ conversation: ConversationView, caller: PublicCaller) async throws -> JSONOut {
        let messages = publicMessagesJSON(try await contactVisibleMessages(conversation), account: caller.accountID)
        return read { projections in
            let contact = projections.directory.contact(caller.contact.id, account: caller.accountID) ?? caller.contact
            let contactParticipant = Participant(type: .contact, id: contact.id)
            return .publicConversation(
                conversation,
                contact: .contact(contact, directory: projections.directory, withContactInboxes: false, showSecrets: false),
                messages: messages,
                contactLastSeenAt: .lastSeen(conversation, participant: contactParticipant, projections: projections),
                agentLastSeenAt: conversation.assigneeID.map {
                    .lastSeen(conversation, participant: Participant(type: .user, id: $0), projections: projections)
                } ?? 0)
        }
    }
}

/// Chatwoot's `typing_status` values.
enum TypingStatus: String, CaseIterable {
    case on, off
}

extension StoredEvent {
    /// The display id of the conversation this event created, if it created one.
    var createdConversationID: UInt64? {
        if case .conversationCreated(let created) = event.body { return created.conversationID }
        return nil
    }
}
