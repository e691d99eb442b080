import ParleyDomain
import ParleyProjections

/// A message as it stands now: the event that created it, its latest edit,
/// and whether it was deleted, read back from the log.
struct MessageState: Sendable {
    /// What a soft-deleted message shows instead of its content, as Chatwoot does.
    static let deletedContent = "This message was deleted"

    var accountID: UInt64
    var inboxID: UInt64
    var created: MessageCreated
    /// Milliseconds since 1970.
    var createdAt: UInt64
    var edit: MessageUpdated?
    var deleted: Bool

    var id: UInt64 { created.messageID }
    var content: String { deleted ? Self.deletedContent : edit?.content ?? created.content }
    var contentAttributes: JSONObject { deleted ? ["deleted": .bool(true)] : edit?.contentAttributes ?? created.contentAttributes }
    var contentType: String { deleted ? "text" : created.contentType }
    var attachments: [Attachment] { deleted ? [] : created.attachments }
}

// Chatwoot's message JSON (`api/v1/models/_message.json.jbuilder`) and the
// `push_event_data` of its senders.

extension JSONOut {
    /// A message; `sender` is left out when the message has none (activity).
    static func message(_ message: MessageState, sender: JSONOut?) -> JSONOut {
        var members: [(String, JSONOut)] = [
            ("id", .uint(message.id)), ("content", .string(message.content)), ("account_id", .uint(message.accountID)),
            ("inbox_id", .uint(message.inboxID)),
        ]
        if let echo = message.created.echoID { members.append(("echo_id", .string(echo))) }
        members += [
            ("conversation_id", .uint(message.created.conversationID)),
            ("message_type", .int(Int64(message.created.messageType.rawValue))), ("content_type", .string(message.contentType)),
            ("status", "sent"), ("content_attributes", JSONOut(message.contentAttributes)),
            ("created_at", .seconds(message.createdAt)), ("private", .bool(message.created.private)), ("source_id", nil),
        ]
        if let sender { members.append(("sender", sender)) }
        members.append(
            ("attachments", .array(message.attachments.enumerated().map { attachment($1, position: $0 + 1, of: message) })))
        return .object(members)
    }

    /// Chatwoot's attachment JSON. Parley keeps no attachment records, so
    /// `id` is the attachment's position in its message (from 1).
    static func attachment(_ attachment: Attachment, position: Int, of message: MessageState) -> JSONOut {
        let name = attachment.name
        let dot = name.lastIndex(of: ".")
        return [
            "id": .int(Int64(position)), "message_id": .uint(message.id), "file_type": .string(attachment.fileType.rawValue),
            "account_id": .uint(message.accountID), "extension": .string(dot.map { String(name[name.index(after: $0)...]) }),
            "data_url": .string(attachment.url), "thumb_url": .string(attachment.url), "file_size": .int(Int64(attachment.size)),
        ]
    }

    /// Who sent a message, as Chatwoot's `sender.push_event_data`; nil when
    /// it has no sender or the sender is unknown.
    static func messageSender(_ actor: Actor?, account: UInt64, directory: DirectoryProjection) -> JSONOut? {
        guard let actor else { return nil }
        switch actor.type {
        case .agent:
            return directory.user(actor.id).map(userSender)
        case .contact:
            return directory.contact(actor.id, account: account).map(contactSender)
        case .bot, .system:
            return ["id": .uint(actor.id), "name": "Parley", "avatar_url": "", "type": "agent_bot"]
        }
    }

    /// A user as a message sender or a conversation's assignee in message lists.
    static func userSender(_ user: UserView) -> JSONOut {
        [
            "id": .uint(user.id), "name": .string(user.name), "available_name": .string(user.name), "avatar_url": "",
            "type": "user", "availability_status": .string(user.availability.rawValue), "thumbnail": "",
        ]
    }

    /// A contact as a message sender.
    static func contactSender(_ contact: ContactView) -> JSONOut {
        let details = contact.details
        return [
            "additional_attributes": [:], "custom_attributes": JSONOut(details.customAttributes),
            "email": .string(details.email), "id": .uint(contact.id), "identifier": .string(details.identifier),
            "name": .string(details.name), "phone_number": .string(details.phoneNumber), "thumbnail": "",
            "blocked": .bool(details.blocked), "type": "contact",
        ]
    }
}
