import Foundation
import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{id}/labels`, `/canned_responses` and `/webhooks`.
/// Members read labels and canned responses and keep the canned responses,
/// as in Chatwoot; labels are the administrators' to change, webhooks theirs alone.
extension ParleyAPI {
    func addAccountConfigurationRoutes(to account: RouterGroup<ParleyRequestContext>) {
        addLabelRoutes(to: account)
        addCannedResponseRoutes(to: account)
        addWebhookRoutes(to: account)
        addWebhookDeliveryRoutes(to: account)
    }

    // MARK: Labels

    private func addLabelRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("labels") { request, context in
            let member = try self.requireMember(request, context: context)
            let labels = self.read { $0.directory.labels(account: member.accountID) }
            return JSONResponse(["payload": .array(labels.map(JSONOut.label))])
        }
        account.get("labels/:label_id") { request, context in
            let member = try self.requireMember(request, context: context)
            let id = try context.pathID("label_id")
            guard let label = self.read({ $0.directory.label(id, account: member.accountID) }) else {
                throw APIError.notFound("label \(id)")
            }
            return JSONResponse(.label(label))
        }
        account.post("labels") { request, context in try await self.createLabel(request, context: context) }
        account.delete("labels/:label_id") { request, context in
            let member = try self.requireAdministrator(request, context: context)
            let id = try context.pathID("label_id")
            _ = try await self.execute(member.command(.deleteLabel(labelID: id)), idempotencyKey: try self.idempotencyKey(request))
            return Self.emptyOK
        }
    }

    func createLabel(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        var body = try await self.body(request)
        let title = try body.requiredString("title", maxLength: Limits.maxNameLength * 4)
        let description = try body.string("description", maxLength: Limits.maxNameLength * 4) ?? ""
        let color = try body.string("color", maxLength: 16) ?? ""
        if try body.bool("show_on_sidebar") == false {
            throw APIError.unprocessable("show_on_sidebar", "Parley shows every label")
        }
        try body.finish()
        let outcome = try await execute(
            member.command(.createLabel(title: title, description: description, color: color)),
            idempotencyKey: try idempotencyKey(request))
        let id = try outcome.first { if case .labelCreated(let e) = $0 { e.labelID } else { nil } }
        guard let label = read({ $0.directory.label(id, account: member.accountID) }) else { throw APIError.notFound("label \(id)") }
        return JSONResponse(.label(label))
    }

    // MARK: Canned responses

    private func addCannedResponseRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("canned_responses") { request, context in
            let member = try self.requireMember(request, context: context)
            let search = try QueryParameters(request).string("search", maxLength: 255)?.lowercased() ?? ""
            let responses = self.read { $0.directory.cannedResponses(account: member.accountID) }.filter {
                search.isEmpty || $0.shortCode.lowercased().contains(search) || $0.content.lowercased().contains(search)
            }
            return JSONResponse(.array(responses.map(JSONOut.cannedResponse)))
        }
        account.post("canned_responses") { request, context in try await self.saveCannedResponse(request, context: context, id: nil) }
        for method in [HTTPRequest.Method.patch, .put] {
            account.on("canned_responses/:canned_response_id", method: method) { request, context in
                try await self.saveCannedResponse(request, context: context, id: try context.pathID("canned_response_id"))
            }
        }
        account.delete("canned_responses/:canned_response_id") { request, context in
            let member = try self.requireMember(request, context: context)
            let id = try context.pathID("canned_response_id")
            _ = try await self.execute(member.command(.deleteCannedResponse(id: id)), idempotencyKey: try self.idempotencyKey(request))
            return Self.emptyOK
        }
    }

    /// Creates (`id` nil) or changes a canned response; a change keeps what the body leaves out.
    func saveCannedResponse(_ request: Request, context: ParleyRequestContext, id: UInt64?) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let current = try id.map { id in
            guard let canned = read({ $0.directory.cannedResponse(id, account: member.accountID) }) else {
                throw APIError.notFound("canned response \(id)")
            }
            return canned
        }
        var body = try await self.body(request)
        let shortCode = try body.string("short_code", maxLength: Limits.maxNameLength * 4) ?? current?.shortCode
        let content = try body.string("content", maxLength: Limits.maxContentLength * 4) ?? current?.content
        try body.finish()
        guard let shortCode else { throw APIError.badRequest("missing_field", "short_code is required") }
        guard let content else { throw APIError.badRequest("missing_field", "content is required") }
        let outcome = try await execute(
            member.command(.saveCannedResponse(id: id, shortCode: shortCode, content: content)),
            idempotencyKey: try idempotencyKey(request))
        let savedID = try outcome.first { if case .cannedResponseSaved(let e) = $0 { e.cannedResponseID } else { nil } }
        guard let saved = read({ $0.directory.cannedResponse(savedID, account: member.accountID) }) else {
            throw APIError.notFound("canned response \(savedID)")
        }
        return JSONResponse(.cannedResponse(saved))
    }

    // MARK: Webhooks

    private func addWebhookRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("webhooks") { request, context in
            let member = try self.requireAdministrator(request, context: context)
            let webhooks = self.read { projections in
                projections.directory.webhooks(account: member.accountID).map { webhook in
                    JSONOut.webhook(
                        webhook, inbox: webhook.inboxID.flatMap { projections.directory.inbox($0, account: member.accountID) })
                }
            }
            return JSONResponse(["payload": ["webhooks": .array(webhooks)]])
        }
        account.post("webhooks") { request, context in try await self.saveWebhook(request, context: context, id: nil) }
        for method in [HTTPRequest.Method.patch, .put] {
            account.on("webhooks/:webhook_id", method: method) { request, context in
                try await self.saveWebhook(request, context: context, id: try context.pathID("webhook_id"))
            }
        }
        account.delete("webhooks/:webhook_id") { request, context in
            let member = try self.requireAdministrator(request, context: context)
            let id = try context.pathID("webhook_id")
            _ = try await self.execute(member.command(.deleteWebhook(id: id)), idempotencyKey: try self.idempotencyKey(request))
            return Self.emptyOK
        }
    }

    /// Creates (`id` nil) or changes a webhook from Chatwoot's `{"webhook": {url,
    /// subscriptions}}` or the same fields at the top level. Without
    /// subscriptions a new webhook gets every event; an empty list is refused,
    /// as is a URL pointing at this server itself. The response that creates
    /// the webhook (and a retry of it) shows its signing `secret`; no other does.
    func saveWebhook(_ request: Request, context: ParleyRequestContext, id: UInt64?) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        let current = try id.map { id in
            guard let webhook = read({ $0.directory.webhook(id, account: member.accountID) }) else {
                throw APIError.notFound("webhook \(id)")
            }
            return webhook
        }
        var outer = try await self.body(request)
        let nested = try outer.nested("webhook")
        var body = nested ?? outer
        let url = try body.string("url", maxLength: 2048) ?? current?.url
        let subscriptions = try body.strings("subscriptions", maxCount: 100, maxLength: 100)
        try body.finish()
        if nested != nil { try outer.finish() }
        guard let url else { throw APIError.badRequest("missing_field", "url is required") }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased()), parsed.host?.isEmpty == false
        else { throw APIError.unprocessable("url", "expected an http or https URL") }
        if subscriptions?.isEmpty == true {
            throw APIError.unprocessable("subscriptions", "name at least one event")
        }
        if WebhookTargetCheck.pointsAtServer(parsed, host: configuration.host, port: listeningPort) {
            throw APIError.unprocessable("url", "points at this Parley server itself")
        }
        let key = try idempotencyKey(request)
        let nonce = id == nil ? secretSource(key: key, for: member, "webhooks").make("webhook_secret_nonce") : nil
        let outcome = try await execute(
            member.command(
                .saveWebhook(id: id, url: url, subscriptions: subscriptions ?? current?.subscriptions ?? [], secretNonce: nonce)),
            idempotencyKey: key)
        let created = try outcome.first { if case .webhookSaved(let e) = $0 { e } else { nil } }
        guard let saved = read({ $0.directory.webhook(created.webhookID, account: member.accountID) }) else {
            throw APIError.notFound("webhook \(created.webhookID)")
        }
        var json = JSONOut.webhook(saved, inbox: nil)
        if created.secretNonce != nil {
            json = json.merging([("secret", .string(WebhookSigning.secret(of: saved, serverSecret: secrets.derivationSecret)))])
        }
        return JSONResponse(["payload": ["webhook": json]])
    }
}
