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
        let messages = try await contactVisibleMessages(conversation, before: before, after: after)
        return JSONResponse(.array(publicMessagesJSON(messages, account: caller.accountID)))
    }

    /// Sends `{content, echo_id}` as the contact. `echo_id` (or an
    /// `Idempotency-Key` header) makes a retry answer with the original
    /// message instead of sending it twice.
    func createPublicMessage(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        let conversation = try publicConversation(caller, context: context)
        var body = try await self.body(request)
        return JSONResponse(try await createPublicMessage(&body, in: conversation, by: caller, key: try idempotencyKey(request)))
    }

    /// Sends the message `body` describes as the contact; the realtime
    /// gateway's `message.create` for contacts comes here too.
    func createPublicMessage(_ body: inout JSONBody, in conversation: ConversationView, by caller: PublicCaller, key: String?)
        async throws -> JSONOut
    {
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
            idempotencyKey: key ?? echoID.map { "echo:" + $0 })
        // A message to a resolved conversation reopens it first (status and activity events).
        guard let sent = outcome.events.last(where: { $0.sentMessage != nil }), let message = sent.sentMessage else {
            throw APIError.notFound("message")
        }
        let state = MessageState(
            accountID: caller.accountID, inboxID: conversation.inboxID, created: message, createdAt: sent.entry.timestamp,
            edit: nil, deleted: false)
        return publicMessagesJSON([state], account: caller.accountID)[0]
    }

    /// Renders messages with their senders (Chatwoot's `push_event_data`:
    /// agents by name, never their email), looked up in one read.
    func publicMessagesJSON(_ messages: [MessageState], account: UInt64) -> [JSONOut] {
        read { projections in
            messages.map { message in
                .publicMessage(
                    message,
                    sender: JSONOut.messageSender(message.created.sender, account: account, directory: projections.directory) ?? .null)
            }
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
