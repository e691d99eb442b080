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
        _ conversation: ConversationView, contact: JSONOut, messages: [JSONOut], contactLastSeenAt: JSONOut,
        agentLastSeenAt: JSONOut
    ) -> JSONOut {
        [
            "id": .uint(conversation.id), "inbox_id": .uint(conversation.inboxID), "contact_last_seen_at": contactLastSeenAt,
            "status": .string(conversation.status.rawValue), "agent_last_seen_at": agentLastSeenAt,
            "messages": .array(messages), "contact": contact,
        ]
    }

    /// A message as it stands now (a deleted one keeps its place with
    /// Chatwoot's placeholder); `sender` is null for none.
    static func publicMessage(_ message: MessageState, sender: JSONOut) -> JSONOut {
        [
            "id": .uint(message.id), "content": .string(message.content),
            "message_type": .int(Int64(message.created.messageType.rawValue)), "content_type": .string(message.contentType),
            "content_attributes": JSONOut(message.contentAttributes), "created_at": .seconds(message.createdAt),
            "conversation_id": .uint(message.created.conversationID),
            "attachments": .array(message.attachments.enumerated().map { attachment($1, position: $0 + 1, of: message) }),
            "sender": sender,
        ]
    }
}
