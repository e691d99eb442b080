import Foundation
import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{id}/inboxes` and `/inbox_members`: administrators see and
/// change every inbox; an agent sees only the inboxes they are a member of,
/// and any other inbox is a 404 to them, as one that does not exist.
extension ParleyAPI {
    func addInboxRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("inboxes") { request, context in
            let member = try self.requireMember(request, context: context)
            let inboxes = self.read { $0.directory.inboxes(account: member.accountID) }
                .filter(member.worksIn)
            return JSONResponse(["payload": .array(inboxes.map { self.inboxJSON($0, showSecrets: member.isAdministrator) })])
        }
        account.get("inboxes/:inbox_id") { request, context in
            let member = try self.requireMember(request, context: context)
            let inbox = try self.workableInbox(try context.pathID("inbox_id"), for: member)
            return JSONResponse(self.inboxJSON(inbox, showSecrets: member.isAdministrator))
        }
        account.post("inboxes") { request, context in try await self.createInbox(request, context: context) }
        account.patch("inboxes/:inbox_id") { request, context in try await self.updateInbox(request, context: context) }
        account.put("inboxes/:inbox_id") { request, context in try await self.updateInbox(request, context: context) }

        account.get("inbox_members/:inbox_id") { request, context in
            let member = try self.requireMember(request, context: context)
            let inbox = try self.workableInbox(try context.pathID("inbox_id"), for: member)
            return JSONResponse(["payload": self.agents(inbox.members, of: member)])
        }
        account.post("inbox_members") { request, context in
            try await self.changeInboxMembers(request, context: context) { current, given in current + given }
        }
        account.patch("inbox_members") { request, context in
            try await self.changeInboxMembers(request, context: context) { _, given in given }
        }
        account.delete("inbox_members") { request, context in
            _ = try await self.changeInboxMembers(request, context: context) { current, given in
                current.filter { !given.contains($0) }
            }
            return Self.emptyOK
        }
    }

    /// Inbox settings from the request's top-level fields, over `current`.
    private func inboxSettings(_ body: inout JSONBody, over current: InboxSettings) throws -> InboxSettings {
        var settings = current
        if let name = try body.string("name", maxLength: Limits.maxNameLength * 4) { settings.name = name }
        if let enabled = try body.bool("greeting_enabled") { settings.greetingEnabled = enabled }
        if let message = try body.string("greeting_message", maxLength: 20_000) { settings.greetingMessage = message }
        if let enabled = try body.bool("working_hours_enabled") { settings.workingHoursEnabled = enabled }
        if let message = try body.string("out_of_office_message", maxLength: 20_000) { settings.outOfOfficeMessage = message }
        if let timezone = try body.string("timezone", maxLength: 64) {
            guard TimeZone(identifier: timezone) != nil else { throw APIError.invalid("timezone", "not an IANA time zone such as Europe/Berlin") }
            settings.timezone = timezone
        }
        if let mandatory = try body.bool("hmac_mandatory") { settings.hmacMandatory = mandatory }
        return try automationSettings(&body, over: settings)
    }

    /// An inbox as the inboxes API shows it; administrators also see the
    /// signing secret of an API inbox's callback URL (Chatwoot's Channel::Api
    /// `secret`; null while it has no callback), as they see its HMAC token.
    private func inboxJSON(_ inbox: InboxView, showSecrets: Bool) -> JSONOut {
        let json = JSONOut.inbox(inbox, showSecrets: showSecrets)
        guard showSecrets, inbox.channelType == .api else { return json }
        let callback = inbox.callback == nil ? nil : read { $0.directory.callbackWebhook(ofInbox: inbox.id, account: inbox.accountID) }
        let secret = callback.map { WebhookSigning.secret(of: $0, serverSecret: secrets.derivationSecret) }
        return json.merging([("secret", .string(secret))])
    }

    /// The channel object's settings over `settings`. Chatwoot's widget
    /// looks (colour, titles, website) are accepted and not kept; an API
    /// channel's `webhook_url` is read by ``callbackChange(_:nonce:)``.
    private func channelSettings(_ channel: inout JSONBody, over settings: InboxSettings) throws -> InboxSettings {
        var settings = settings
        if let mandatory = try channel.bool("hmac_mandatory") { settings.hmacMandatory = mandatory }
        for key in ["website_url", "widget_color", "welcome_title", "welcome_tagline"] {
            _ = try channel.string(key, maxLength: 2048)
        }
        _ = try channel.string("reply_time", maxLength: 64)
        _ = try channel.bool("pre_chat_form_enabled")
        return settings
    }

    /// Chatwoot's `channel.webhook_url`: a URL makes the inbox's callback (or
    /// moves it), `""` or null removes it; nil when the channel leaves it out.
    /// The domain checks the URL's length and spaces and that the inbox is an
    /// API inbox; here, that it parses and does not point at this server.
    private func callbackChange(_ channel: inout JSONBody, nonce: () -> String) throws -> InboxCallbackChange? {
        guard channel.has("webhook_url") else { return nil }
        let url = try channel.string("webhook_url", maxLength: 16_384) ?? ""
        guard !url.isEmpty else { return .remove }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased()), parsed.host?.isEmpty == false
        else { throw APIError.unprocessable("webhook_url", "expected an http or https URL") }
        if WebhookTargetCheck.pointsAtServer(parsed, host: configuration.host, port: listeningPort) {
            throw APIError.unprocessable("webhook_url", "points at this Parley server itself")
        }
        return .deliver(url: url, secretNonce: nonce())
    }

    func createInbox(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        var body = try await self.body(request)
        guard body.has("name") else { throw APIError.badRequest("missing_field", "name is required") }
        var settings = try inboxSettings(&body, over: InboxSettings(name: ""))
        guard var channel = try body.nested("channel") else { throw APIError.badRequest("missing_field", "channel is required") }
        guard let channelType = try channel.value("type", as: ChannelType.self) else {
            throw APIError.badRequest("missing_field", "channel.type is required")
        }
        let key = try idempotencyKey(request)
        let secrets = secretSource(key: key, for: member, "inboxes")
        settings = try channelSettings(&channel, over: settings)
        let callback = try callbackChange(&channel) { secrets.make("callback_secret_nonce") }
        try channel.finish()
        try body.finish()
        let outcome = try await execute(
            member.command(
                .createInbox(
                    channelType: channelType, inboxIdentifier: secrets.make("inbox_identifier"),
                    hmacToken: secrets.make("hmac_token"), settings: settings, callback: callback)),
            idempotencyKey: key)
        let id = try outcome.first { if case .inboxCreated(let e) = $0 { e.inboxID } else { nil } }
        return JSONResponse(inboxJSON(try workableInbox(id, for: member), showSecrets: true))
    }

    func updateInbox(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        let current = try workableInbox(try context.pathID("inbox_id"), for: member)
        var body = try await self.body(request)
        let key = try idempotencyKey(request)
        var settings = try inboxSettings(&body, over: current.settings)
        var callback: InboxCallbackChange?
        if var channel = try body.nested("channel") {
            settings = try channelSettings(&channel, over: settings)
            callback = try callbackChange(&channel) {
                secretSource(key: key, for: member, "inboxes/\(current.id)").make("callback_secret_nonce")
            }
            try channel.finish()
        }
        try body.finish()
        _ = try await execute(
            member.command(.updateInbox(inboxID: current.id, settings: settings, callback: callback)), idempotencyKey: key)
        if case .deliver = callback { try await resumeFailingCallback(of: current, by: member) }
        // Once answered, nothing more goes to a URL the callback left.
        if callback != nil { await webhooks.settle() }
        return JSONResponse(inboxJSON(try workableInbox(current.id, for: member), showSecrets: true))
    }

    /// A callback marked failing is held; a new `webhook_url` is how a
    /// Chatwoot client fixes it, so saving one resumes the callback (its
    /// backlog goes to the new URL). A paused callback stays paused. A retry
    /// finds it active and appends nothing.
    private func resumeFailingCallback(of inbox: InboxView, by member: Member) async throws {
        guard let hook = read({ $0.directory.callbackWebhook(ofInbox: inbox.id, account: inbox.accountID) }),
            hook.delivery?.state == .failing
        else { return }
        _ = try await execute(member.command(.setWebhookDelivery(id: hook.id, state: .active, reason: nil)), idempotencyKey: nil)
    }

    /// Sets an inbox's members to `change(current, given)` for the
    /// `{inbox_id, user_ids}` body, and answers with them all (`{"payload": [agent]}`).
    func changeInboxMembers(
        _ request: Request, context: ParleyRequestContext, _ change: ([UInt64], [UInt64]) -> [UInt64]
    ) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        var body = try await self.body(request)
        let inboxID = try body.requiredID("inbox_id")
        guard let given = try body.ids("user_ids") else { throw APIError.badRequest("missing_field", "user_ids is required") }
        try body.finish()
        let inbox = try workableInbox(inboxID, for: member)
        try requireMembers(given, of: member)
        _ = try await execute(
            member.command(.setInboxMembers(inboxID: inbox.id, userIDs: change(inbox.members, given))),
            idempotencyKey: try idempotencyKey(request))
        let members = read { $0.directory.inbox(inbox.id, account: member.accountID)?.members ?? [] }
        return JSONResponse(["payload": agents(members, of: member)])
    }
}
