import ParleyDomain
import ParleyProjections

/// Commands over the socket: `rpc` with a method and the same body the HTTP
/// route takes, plus `conversation_id` (the display id). They run through
/// the same functions as the HTTP routes: the same validation, permissions
/// and idempotency (`echo_id`, or `idempotency_key` in place of the header),
/// and the result's `data` is what the route would answer (`{}` where the
/// route answers an empty 200).
///
/// A refusal is an error reply whose code is the HTTP status the route
/// would give and whose message starts with the API's error code:
/// `{"code": 404, "message": "not_found: conversation 9 not found"}`.
extension RealtimeGateway {
    static let userMethods: Set<String> = [
        "message.create", "conversation.typing", "conversation.update_last_seen", "conversation.toggle_status",
        "conversation.assign", "conversation.toggle_priority", "conversation.labels",
    ]
    static let contactMethods: Set<String> = [
        "message.create", "conversation.typing", "conversation.update_last_seen", "conversation.toggle_status",
    ]

    func rpc(_ method: String, data: JSONValue, identity: RealtimeIdentity) async throws -> JSONOut {
        guard case .object(let members) = data else { throw ReplyError(code: 400, message: "invalid_argument: data must be an object") }
        var body = JSONBody(members)
        do {
            let conversationID = try body.id("conversation_id")
            let key = try body.string("idempotency_key", maxLength: 255)
            if let key, key.isEmpty || !key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7e }) {
                throw APIError.invalid("idempotency_key", "must be 1 to 255 printable ASCII characters")
            }
            switch identity {
            case .user:
                guard Self.userMethods.contains(method) else { throw ReplyError.methodNotFound }
                guard let member = api.member(identity) else { throw APIError.unauthorized }
                guard let conversationID else { throw APIError.badRequest("missing_field", "conversation_id is required") }
                let view = try api.visibleConversation(conversationID, for: member)
                return try await userCommand(method, ActionRequest(member: member, view: view, body: body, key: key))
            case .contact(let account, let contact):
                guard Self.contactMethods.contains(method) else { throw ReplyError.methodNotFound }
                guard let conversationID else { throw APIError.badRequest("missing_field", "conversation_id is required") }
                let (caller, conversation) = try contactConversation(conversationID, account: account, contact: contact)
                return try await contactCommand(method, &body, conversation, caller, key: key)
            }
        } catch let error as ReplyError {
            throw error
        } catch {
            let refusal = APIError(error)
            throw ReplyError(code: Int(refusal.status.code), message: "\(refusal.code): \(refusal.message)")
        }
    }

    private func userCommand(_ method: String, _ request: ActionRequest) async throws -> JSONOut {
        var call = request
        switch method {
        case "message.create":
            return try await api.sendMessage(&call.body, in: call.view, by: call.member, key: call.key)
        case "conversation.typing":
            try await api.toggleTyping(&call)
            return [:]
        case "conversation.update_last_seen":
            return try await api.readMarker(&call) { .markRead(conversationID: $0) }
        case "conversation.toggle_status":
            return try await api.toggleStatus(&call)
        case "conversation.assign":
            return try await api.assignConversation(&call)
        case "conversation.toggle_priority":
            try await api.togglePriority(&call)
            return [:]
        default:
            return try await api.setLabels(&call)
        }
    }

    private func contactCommand(
        _ method: String, _ body: inout JSONBody, _ conversation: ConversationView, _ caller: PublicCaller, key: String?
    ) async throws -> JSONOut {
        switch method {
        case "message.create": return try await api.createPublicMessage(&body, in: conversation, by: caller, key: key)
        case "conversation.typing": return try await api.publicTyping(&body, in: conversation, by: caller)
        case "conversation.update_last_seen": return try await api.publicLastSeen(&body, in: conversation, by: caller, key: key)
        default: return try await api.publicToggleStatus(&body, in: conversation, by: caller, key: key)
        }
    }

    /// The contact's own conversation `id`, with the contact as a Public API
    /// caller of that conversation's inbox; anything else is not found.
    private func contactConversation(_ id: UInt64, account: UInt64, contact: UInt64) throws -> (PublicCaller, ConversationView) {
        let found = api.read { projections -> (PublicCaller, ConversationView)? in
            guard let conversation = projections.conversations.conversation(account: account, id: id),
                conversation.contactID == contact,
                let inbox = projections.directory.inbox(conversation.inboxID, account: account),
                let contactView = projections.directory.contact(contact, account: account)
            else { return nil }
            return (PublicCaller(inbox: inbox, contact: contactView, sourceID: ""), conversation)
        }
        guard let found else { throw APIError.notFound("conversation \(id)") }
        return found
    }
}
