import Foundation
import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{id}/notifications`, as Chatwoot has it: the caller's
/// own notifications in the account (15 a page, newest first), marking one or
/// all read, and the unread count. Each user sees only their own; another
/// user's notification is a 404.
extension ParleyAPI {
    static let notificationsPerPage = 15

    func addNotificationRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("notifications") { request, context in
            let member = try self.requireMember(request, context: context)
            let page = try QueryParameters(request).page()
            let (list, unread) = self.read { projections in
                (
                    projections.automation.notifications(account: member.accountID, user: member.user.id),
                    projections.automation.unreadCount(account: member.accountID, user: member.user.id)
                )
            }
            let start = min(list.count, (page - 1) * Self.notificationsPerPage)
            let slice = list[start..<min(list.count, start + Self.notificationsPerPage)]
            let views = self.notificationContexts(Array(slice), for: member)
            return JSONResponse([
                "data": [
                    "meta": ["unread_count": .int(Int64(unread)), "count": .int(Int64(list.count)), "current_page": .int(Int64(page))],
                    "payload": .array(views),
                ]
            ])
        }
        account.get("notifications/unread_count") { request, context in
            let member = try self.requireMember(request, context: context)
            return JSONResponse(.int(Int64(self.read { $0.automation.unreadCount(account: member.accountID, user: member.user.id) })))
        }
        account.post("notifications/read_all") { request, context in
            let member = try self.requireMember(request, context: context)
            var body = try await self.body(request)
            body.ignore("primary_actor_type", "primary_actor_id")
            try body.finish()
            _ = try await self.execute(member.command(.readNotifications(ids: nil)), idempotencyKey: try self.idempotencyKey(request))
            return Self.emptyOK
        }
        account.patch("notifications/:notification_id") { request, context in
            let member = try self.requireMember(request, context: context)
            let id = try context.pathID("notification_id")
            var body = try await self.body(request)
            body.ignore("read_at")
            try body.finish()
            guard self.read({ $0.automation.notification(id, account: member.accountID, user: member.user.id) }) != nil else {
                throw APIError.notFound("notification \(id)")
            }
            _ = try await self.execute(member.command(.readNotifications(ids: [id])), idempotencyKey: try self.idempotencyKey(request))
            guard let view = self.read({ $0.automation.notification(id, account: member.accountID, user: member.user.id) }) else {
                throw APIError.notFound("notification \(id)")
            }
            return JSONResponse(self.notificationContexts([view], for: member)[0])
        }
    }

    /// Notifications with the conversation and user they are about, as Chatwoot renders them.
    private func notificationContexts(_ views: [NotificationView], for member: Member) -> [JSONOut] {
        read { projections in
            let user = projections.directory.user(member.user.id)
            return views.map { view in
                JSONOut.notification(
                    view,
                    conversation: view.conversationID.flatMap {
                        projections.conversations.conversation(account: member.accountID, id: $0)
                    },
                    user: user)
            }
        }
    }
}
