import Foundation
import ParleyDomain
import ParleyProjections

extension JSONOut {
    static func faq(_ entry: FAQView) -> JSONOut {
        [
            "id": .uint(entry.id), "account_id": .uint(entry.accountID), "question": .string(entry.question),
            "keywords": .array(entry.keywords.map { .string($0) }), "answer": .string(entry.answer), "active": .bool(entry.active),
            "created_at": .seconds(entry.createdAt), "updated_at": .seconds(entry.updatedAt),
        ]
    }

    /// Chatwoot's notification: the conversation is the primary actor (the
    /// webhook for Parley's own `webhook_failing`), the message (for a new
    /// message or a mention) the secondary one; `read_at` is an ISO 8601 time
    /// or null.
    static func notification(_ view: NotificationView, conversation: ConversationView?, user: UserView?) -> JSONOut {
        let primary: JSONOut =
            conversation.map { conversation in
                [
                    "id": .uint(conversation.id), "inbox_id": .uint(conversation.inboxID),
                    "status": .string(conversation.status.rawValue), "assignee_id": .uint(conversation.assigneeID),
                ]
            } ?? .null
        return [
            "id": .uint(view.id), "notification_type": .string(view.type.rawValue),
            "push_message_title": .string(pushTitle(view)),
            "primary_actor_type": view.webhookID == nil ? "Conversation" : "Webhook",
            "primary_actor_id": .uint(view.webhookID ?? view.conversationID ?? 0),
            "primary_actor": view.webhookID.map { ["id": .uint($0)] } ?? primary,
            "read_at": view.readAt.map { .string(iso8601($0)) } ?? .null,
            "secondary_actor": view.messageID.map { ["id": .uint($0), "type": "Message"] } ?? .null,
            "user": user.map { ["id": .uint($0.id), "name": .string($0.name), "type": "user"] } ?? .null,
            "created_at": .seconds(view.createdAt),
        ]
    }

    private static func pushTitle(_ view: NotificationView) -> String {
        let conversation = view.conversationID.map(String.init) ?? ""
        return switch view.type {
        case .conversationAssignment: "A conversation (#\(conversation)) has been assigned to you"
        case .assignedConversationNewMessage: "A new message is created in conversation (#\(conversation))"
        case .conversationMention: "You have been mentioned in conversation (#\(conversation))"
        case .slaMissedFirstResponse: "Conversation (#\(conversation)) is waiting too long for a first response"
        case .webhookFailing: "Webhook (#\(view.webhookID.map(String.init) ?? "")) is failing: its deliveries are kept until it is resumed"
        }
    }

    private static func iso8601(_ milliseconds: UInt64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }
}
