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

    /// Chatwoot's notification: the conversation is the primary actor, the
    /// message (for a new message or a mention) the secondary one; `read_at`
    /// is an ISO 8601 time or null.
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
            "push_message_title": .string(pushTitle(view)), "primary_actor_type": "Conversation",
            "primary_actor_id": .uint(view.conversationID), "primary_actor": primary,
            "read_at": view.readAt.map { .string(iso8601($0)) } ?? .null,
            "secondary_actor": view.messageID.map { ["id": .uint($0), "type": "Message"] } ?? .null,
            "user": user.map { ["id": .uint($0.id), "name": .string($0.name), "type": "user"] } ?? .null,
            "created_at": .seconds(view.createdAt),
        ]
    }

    private static func pushTitle(_ view: NotificationView) -> String {
        switch view.type {
        case .conversationAssignment: "A conversation (#\(view.conversationID)) has been assigned to you"
        case .assignedConversationNewMessage: "A new message is created in conversation (#\(view.conversationID))"
        case .conversationMention: "You have been mentioned in conversation (#\(view.conversationID))"
        case .slaMissedFirstResponse: "Conversation (#\(view.conversationID)) is waiting too long for a first response"
        }
    }

    private static func iso8601(_ milliseconds: UInt64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }
}
