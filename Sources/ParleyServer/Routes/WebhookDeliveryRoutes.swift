import Foundation
import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{id}/webhooks/{webhook_id}/deliveries` (status),
/// `…/pause`, `…/resume` and `…/redeliver`: Parley's own, for
/// administrators. Chatwoot has no delivery API (it does not retry).
extension ParleyAPI {
    func addWebhookDeliveryRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("webhooks/:webhook_id/deliveries") { request, context in
            let (_, webhook) = try self.administeredWebhook(request, context: context)
            return JSONResponse(try await self.deliveryStatus(of: webhook))
        }
        account.post("webhooks/:webhook_id/pause") { request, context in
            try await self.setDelivery(.paused, request, context: context)
        }
        account.post("webhooks/:webhook_id/resume") { request, context in
            try await self.setDelivery(.active, request, context: context)
        }
        account.post("webhooks/:webhook_id/redeliver") { request, context in
            try await self.redeliver(request, context: context)
        }
    }

    private func administeredWebhook(_ request: Request, context: ParleyRequestContext) throws -> (Member, WebhookView) {
        let member = try requireAdministrator(request, context: context)
        let id = try context.pathID("webhook_id")
        guard let webhook = read({ $0.directory.webhook(id, account: member.accountID) }) else { throw APIError.notFound("webhook \(id)") }
        return (member, webhook)
    }

    /// Pauses or resumes (also a failing webhook); answers with the status.
    /// A paused webhook keeps its cursor: resuming sends everything since.
    private func setDelivery(_ state: WebhookDeliveryState, _ request: Request, context: ParleyRequestContext) async throws
        -> JSONResponse
    {
        let (member, webhook) = try administeredWebhook(request, context: context)
        var body = try await self.body(request)
        let reason = try body.string("reason", maxLength: 200)
        try body.finish()
        if (webhook.delivery?.state ?? .active) != state {
            _ = try await execute(
                member.command(.setWebhookDelivery(id: webhook.id, state: state, reason: reason)),
                idempotencyKey: try idempotencyKey(request))
        }
        await webhooks.settle()
        guard let saved = read({ $0.directory.webhook(webhook.id, account: member.accountID) }) else {
            throw APIError.notFound("webhook \(webhook.id)")
        }
        return JSONResponse(try await deliveryStatus(of: saved))
    }

    /// `{"from_offset": N}`: every event of the log from offset N on is sent
    /// again (those this webhook takes), each with the delivery id it had the
    /// first time. A held webhook keeps the new cursor until it is resumed.
    private func redeliver(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let (member, webhook) = try administeredWebhook(request, context: context)
        var body = try await self.body(request)
        guard let from = try body.int("from_offset", in: 1...Int.max) else {
            throw APIError.badRequest("missing_field", "from_offset is required")
        }
        try body.finish()
        let head = ledger.log.head
        guard UInt64(from) <= head + 1 else {
            throw APIError.unprocessable("from_offset", "the log's newest offset is \(head)")
        }
        try await webhooks.redeliver(webhook.id, from: UInt64(from))
        _ = try await execute(
            Command(
                accountID: member.accountID, principal: .system,
                action: .recordAudit(
                    action: "webhook_redelivery", targetType: "Webhook", targetID: webhook.id, ipAddress: nil,
                    details: ["user_id": .number(Double(member.user.id)), "from_offset": .number(Double(from))])),
            idempotencyKey: nil)
        return JSONResponse(try await deliveryStatus(of: webhook))
    }

    /// The status JSON: where the cursor is, how far behind the log's head,
    /// what is under way, and the last failure.
    func deliveryStatus(of webhook: WebhookView) async throws -> JSONOut {
        let status = try await webhooks.status(of: webhook)
        let progress = status.progress
        return [
            "webhook_id": .uint(webhook.id),
            "state": .string((webhook.delivery?.state ?? .active).rawValue),
            "reason": .string(webhook.delivery?.reason),
            "held_since": .seconds(webhook.delivery?.since),
            "running": .bool(status.running),
            "cursor": .uint(status.cursor),
            "head": .uint(status.head),
            "backlog": .uint(status.head - min(status.head, status.cursor)),
            "in_flight": .int(Int64(progress?.inFlight.count ?? 0)),
            "delivered": .uint(progress?.delivered ?? 0),
            "failures": .uint(progress?.failures ?? 0),
            "retries": .uint(progress?.retries ?? 0),
            "last_error": .string(progress?.lastError),
            "last_error_at": .seconds(progress?.lastErrorAt),
            "next_retry_at": .seconds(progress?.nextRetryAt),
            "last_delivered_at": .seconds(progress?.lastDeliveredAt),
        ]
    }
}
