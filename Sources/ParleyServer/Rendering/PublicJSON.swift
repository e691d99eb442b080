import ParleyDomain
import ParleyProjections

// Chatwoot's Public API JSON (`app/views/public/api/v1/`): contacts,
// conversations and messages as a contact sees them.

extension JSONOut {
    /// A contact with the contact inbox it was reached through.
    static func publicContact(_ contact: ContactView, sourceID: String, pubsubToken: String) -> JSONOut {
        [
            "source_id": .string(sourceID), "pubsub_token": .string(pubsubToken), "id": .uint(contact.id),
            "name": .string(contact.details.name), "email": .string(contact.details.email),
            "phone_number": .string(contact.details.phoneNumber),
        ]
    }

    /// A conversation with the messages the contact may see. Last-seen
    /// times are epoch seconds, 0 for never (Chatwoot's `nil.to_i`).
    /// `contact` is the contact's own JSON (Chatwoot's contact partial, without
    /// contact inboxes: their source ids are credentials).
    static func publicConversation(
        _ conversation: ConversationView, contact: JSONOut, messages: [JSONOut], contactLastSeenAt: UInt64,
        agentLastSeenAt: UInt64
    ) -> JSONOut {
        [
            "id": .uint(conversation.id), "inbox_id": .uint(conversation.inboxID),
            "contact_last_seen_at": .seconds(contactLastSeenAt), "status": .string(conversation.status.rawValue),
            "agent_last_seen_at": .seconds(agentLastSeenAt), "messages": .array(messages), "contact": contact,
        ]
    }

    /// A message; a deleted one keeps its place with Chatwoot's placeholder.
    static func publicMessage(_ visible: VisibleMessage, sender: JSONOut) -> JSONOut {
        let message = visible.message
        var attributes = JSONOut(message.contentAttributes)
        if visible.deleted { attributes = ["deleted": true] }
        return [
            "id": .uint(message.messageID), "content": .string(visible.deleted ? "This message was deleted" : message.content),
            "message_type": .int(Int64(message.messageType.rawValue)), "content_type": .string(message.contentType),
            "content_attributes": attributes, "created_at": .seconds(visible.createdAt),
            "conversation_id": .uint(message.conversationID),
            "attachments": .array(
                visible.deleted
                    ? []
                    : message.attachments.enumerated().map { publicAttachment($1, position: $0, message: message.messageID) }),
            "sender": sender,
        ]
    }

    /// An attachment as Chatwoot's `push_event_data`; Parley keeps no
    /// attachment rows, so `id` is the attachment's position in the message (from 1).
    static func publicAttachment(_ attachment: Attachment, position: Int, message: UInt64) -> JSONOut {
        [
            "id": .int(Int64(position + 1)), "message_id": .uint(message), "file_type": .string(attachment.fileType.rawValue),
            "data_url": .string(attachment.url), "thumb_url": "", "file_size": .int(Int64(attachment.size)),
            "file_name": .string(attachment.name),
        ]
    }

    static func publicAgentSender(id: UInt64, name: String) -> JSONOut {
        [
            "id": .uint(id), "name": .string(name), "available_name": .string(name), "avatar_url": "", "thumbnail": "",
            "type": "user",
        ]
    }

    static func publicContactSender(_ contact: ContactView) -> JSONOut {
        [
            "id": .uint(contact.id), "name": .string(contact.details.name), "email": .string(contact.details.email),
            "phone_number": .string(contact.details.phoneNumber), "identifier": .string(contact.details.identifier),
            "custom_attributes": JSONOut(contact.details.customAttributes), "thumbnail": "", "type": "contact",
        ]
    }

    static func publicBotSender(id: UInt64) -> JSONOut {
        ["id": .uint(id), "name": "Bot", "avatar_url": "", "thumbnail": "", "type": "agent_bot"]
    }
}
