import Hummingbird
import ParleyDomain
import ParleyProjections

/// The Public API's messages: what the contact may see of a conversation,
/// and sending as the contact.
extension ParleyAPI {
    /// The latest 20 messages, or 20 before `before` / after `after` (message ids).
    func publicMessages(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        let conversation = try publicConversation(caller, context: context)
        let query = QueryParameters(request)
        let before = try query.id("before")
        let after = try query.id("after")
        if before != nil && after != nil { throw APIError.invalid("before", "give before or after, not both") }
        let messages = try await contactVisibleMessages(
            account: caller.accountID, conversation: conversation.id, before: before, after: after)
        return JSONResponse(.array(publicMessagesJSON(messages, account: caller.accountID)))
    }

    /// Sends `{content, echo_id}` as the contact. `echo_id` (or an
    /// `Idempotency-Key` header) makes a retry answer with the original
    /// message instead of sending it twice.
    func createPublicMessage(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        let conversation = try publicConversation(caller, context: context)
        var body = try await self.body(request)
        let content = try body.requiredString("content", maxLength: 600_000)
        let echoID = try body.string("echo_id", maxLength: 255)
        try body.finish()
        if let echoID {
            guard !echoID.isEmpty, echoID.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7e }) else {
                throw APIError.invalid("echo_id", "must be 1 to 255 printable ASCII characters")
            }
        }
        let outcome = try await execute(
            caller.command(
                .sendMessage(
                    conversationID: conversation.id, message: NewMessage(content: content, messageType: .incoming, echoID: echoID))),
            idempotencyKey: echoID ?? (try idempotencyKey(request)))
        // A message to a resolved conversation reopens it first (status and activity events).
        guard let sent = outcome.events.last(where: { $0.sentMessage != nil }), let message = sent.sentMessage else {
            throw APIError.notFound("message")
        }
        let visible = VisibleMessage(message: message, createdAt: sent.entry.timestamp)
        return JSONResponse(publicMessagesJSON([visible], account: caller.accountID)[0])
    }

    /// Renders messages with their senders, looked up in one read.
    func publicMessagesJSON(_ messages: [VisibleMessage], account: UInt64) -> [JSONOut] {
        read { projections in
            messages.map { message in
                .publicMessage(message, sender: message.message.sender.map { publicSender($0, account: account, projections) } ?? .null)
            }
        }
    }

    /// A sender as Chatwoot's `push_event_data` shows it to contacts: agents
    /// by name only (never their email), the contact with its own details.
    private func publicSender(_ actor: Actor, account: UInt64, _ projections: borrowing Projections) -> JSONOut {
        switch actor.type {
        case .agent:
            let user = projections.directory.user(actor.id)
            return .publicAgentSender(id: actor.id, name: user?.name ?? "")
        case .contact:
            guard let contact = projections.directory.contact(actor.id, account: account) else { return nil }
            return .publicContactSender(contact)
        case .bot:
            return .publicBotSender(id: actor.id)
        case .system:
            return nil
        }
    }
}

extension StoredEvent {
    /// The message this event sent, unless it is an activity message.
    var sentMessage: MessageCreated? {
        if case .messageCreated(let message) = event.body, message.messageType != .activity { return message }
        return nil
    }
}
