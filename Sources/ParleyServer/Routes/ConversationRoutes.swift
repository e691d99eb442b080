import Foundation
import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{account_id}/conversations`: lists, counts, creation,
/// one conversation and its update; the actions on a conversation and its
/// messages are registered here too (ConversationActionRoutes, MessageRoutes).
extension ParleyAPI {
    func addConversationRoutes(to router: Router<ParleyRequestContext>) {
        let account = router.group("api/v1/accounts/:account_id")
        account.get("conversations") { request, context in try await self.listConversations(request, context: context) }
        account.get("conversations/meta") { request, context in try await self.conversationCounts(request, context: context) }
        account.get("conversations/search") { request, context in try await self.searchConversations(request, context: context) }
        account.post("conversations") { request, context in try await self.createConversation(request, context: context) }
        account.get("conversations/:conversation_id") { request, context in
            let member = try self.requireMember(request, context: context)
            return JSONResponse(try await self.renderConversation(try context.pathID("conversation_id"), for: member))
        }
        account.patch("conversations/:conversation_id") { request, context in
            try await self.updateConversation(request, context: context)
        }
        account.get("contacts/:contact_id/conversations") { request, context in
            try await self.contactConversations(request, context: context)
        }
        addConversationActionRoutes(to: account)
        addMessageRoutes(to: account)
    }

    // MARK: Lists

    /// A page of conversations and the counts, from Chatwoot's query parameters.
    private func conversationPage(_ request: Request, member: Member) throws -> ConversationPage {
        let query = try Self.conversationQuery(QueryParameters(request))
        return read { $0.conversations.list(account: member.accountID, user: member.user.id, query: query) }
    }

    func listConversations(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let page = try conversationPage(request, member: member)
        let payload = try await renderConversations(page.conversations, for: member)
        return JSONResponse(["data": ["meta": .conversationCounts(page), "payload": .array(payload)]])
    }

    /// Chatwoot's `conversations/search`: the list's filters with `q`, answered without the `data` wrapper.
    func searchConversations(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let page = try conversationPage(request, member: member)
        let payload = try await renderConversations(page.conversations, for: member)
        return JSONResponse(["meta": .conversationCounts(page), "payload": .array(payload)])
    }

    func conversationCounts(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        return JSONResponse(["meta": .conversationCounts(try conversationPage(request, member: member))])
    }

    func contactConversations(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let contactID = try context.pathID("contact_id")
        let views = try read { projections in
            guard projections.directory.contact(contactID, account: member.accountID) != nil else {
                throw APIError.notFound("contact \(contactID)")
            }
            return projections.conversations.conversations(account: member.accountID, contact: contactID, user: member.user.id)
        }
        return JSONResponse(["payload": .array(try await renderConversations(views, for: member))])
    }

    /// Chatwoot's `sort_by` values that Parley's orders serve, and Parley's own names.
    static let conversationSorts: [String: ConversationQuery.Sort] = [
        "latest": .lastActivity, "last_activity_at_desc": .lastActivity, "last_activity_at": .lastActivity,
        "created_at_desc": .createdAt, "created_at": .createdAt,
        "sort_on_priority": .priority, "priority_desc": .priority, "priority": .priority,
        "sort_on_waiting_since": .waitingSince, "waiting_since_asc": .waitingSince, "waiting_since": .waitingSince,
    ]

    /// The list query from Chatwoot's parameters; a value out of range is a 400.
    /// Labels come repeated (`labels[]=a&labels[]=b`) or comma-separated (`labels=a,b`).
    static func conversationQuery(_ parameters: QueryParameters) throws -> ConversationQuery {
        var query = ConversationQuery()
        if let status = try parameters.string("status", maxLength: 20), !status.isEmpty {
            if status == "all" {
                query.status = .all
            } else if let only = ConversationStatus(rawValue: status) {
                query.status = .only(only)
            } else {
                throw APIError.invalid("status", "must be one of open, resolved, pending, snoozed, all")
            }
        }
        query.assigneeType = try parameters.value("assignee_type", as: ConversationQuery.AssigneeType.self) ?? .all
        query.inboxID = try parameters.id("inbox_id")
        query.teamID = try parameters.id("team_id")
        let labels = (try parameters.strings("labels[]", maxLength: 10_000) + parameters.strings("labels", maxLength: 10_000))
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard labels.count <= Limits.maxLabels, labels.allSatisfy({ $0.utf8.count <= Limits.maxNameLength }) else {
            throw APIError.invalid("labels", "at most \(Limits.maxLabels) labels of at most \(Limits.maxNameLength) bytes")
        }
        query.labels = labels
        query.text = try parameters.string("q", maxLength: 200)
        query.page = try parameters.page()
        if let sort = try parameters.string("sort_by", maxLength: 40), !sort.isEmpty {
            guard let order = conversationSorts[sort] else {
                throw APIError.invalid("sort_by", "must be one of \(conversationSorts.keys.sorted().joined(separator: ", "))")
            }
            query.sort = order
        }
        return query
    }

    // MARK: Creating

    func createConversation(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        var body = try await self.body(request)
        let sourceID = try body.string("source_id", maxLength: Limits.maxNameLength)
        let inboxID = try body.id("inbox_id")
        let contactID = try body.id("contact_id")
        let status = try body.value("status", as: ConversationStatus.self) ?? .open
        let assigneeID = try body.id("assignee_id")
        let teamID = try body.id("team_id")
        let customAttributes = try body.object("custom_attributes") ?? [:]
        var message: NewMessage?
        if var first = try body.nested("message") {
            message = NewMessage(
                content: try first.requiredString("content", maxLength: Limits.maxContentLength * 4), messageType: .outgoing,
                isPrivate: try first.bool("private") ?? false,
                contentType: try Self.contentType(&first) ?? "text")
            first.ignore("template_params")
            try first.finish()
        }
        body.ignore("additional_attributes")
        try body.finish()
        let key = try idempotencyKey(request)
        let (inbox, contact, found) = try contactInbox(sourceID: sourceID, inboxID: inboxID, contactID: contactID, member: member)
        // A new source id is derived for this contact and inbox, so one key used for two contacts makes two conversations.
        let source = found ?? secretSource(key: key, for: member, "conversations").make("source_id/\(inbox)/\(contact)")
        let outcome = try await execute(
            member.command(
                .createConversation(
                    NewConversation(
                        inboxID: inbox, contactID: contact, sourceID: source, status: status, assigneeID: assigneeID,
                        teamID: teamID, customAttributes: customAttributes, message: message))),
            idempotencyKey: key)
        let created = try outcome.first { if case .conversationCreated(let e) = $0 { e.conversationID } else { nil } }
        return JSONResponse(try await renderConversation(created, for: member))
    }

    /// The inbox, contact and source id a new conversation uses, as Chatwoot
    /// finds them: `inbox_id` with `contact_id` (the contact's source id in
    /// that inbox, `source_id`, or a new one), or else the contact inbox
    /// `source_id` names. Only inboxes the member works in are considered:
    /// any other is a 404, as on every other route. The source id is nil
    /// when the contact has none in the inbox and the caller must make one.
    private func contactInbox(sourceID: String?, inboxID: UInt64?, contactID: UInt64?, member: Member) throws
        -> (inbox: UInt64, contact: UInt64, source: String?)
    {
        try read { projections in
            let directory = projections.directory
            if let inboxID, let contactID {
                guard let inbox = directory.inbox(inboxID, account: member.accountID), member.worksIn(inbox) else {
                    throw APIError.notFound("inbox \(inboxID)")
                }
                guard let contact = directory.contact(contactID, account: member.accountID) else {
                    throw APIError.notFound("contact \(contactID)")
                }
                let existing = contact.contactInboxes.first { $0.inboxID == inboxID }?.sourceID
                return (inboxID, contactID, sourceID ?? existing)
            }
            guard let sourceID else {
                throw APIError.badRequest("missing_field", "source_id, or inbox_id and contact_id, is required")
            }
            let inboxes = directory.inboxes(account: member.accountID).filter { inbox in
                member.worksIn(inbox) && (inboxID == nil || inbox.id == inboxID)
            }
            for inbox in inboxes {
                guard let contact = directory.contact(inbox: inbox.id, sourceID: sourceID) else { continue }
                guard contactID == nil || contactID == contact.id else {
                    throw APIError(.conflict, code: "conflict", message: "source id \(sourceID) belongs to another contact")
                }
                return (inbox.id, contact.id, sourceID)
            }
            throw APIError.notFound("contact inbox \(sourceID)")
        }
    }

    // MARK: Updating

    /// Chatwoot's update takes `priority`; Parley also takes what its SDK
    /// sends there (`status`, `assignee_id`, `team_id`) and custom attributes.
    /// Everything is checked before the first change is made, so bad input
    /// changes nothing.
    func updateConversation(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let view = try visibleConversation(context, for: member)
        var body = try await self.body(request)
        var actions: [Action] = []
        if let attributes = try body.object("custom_attributes") {
            actions.append(.setCustomAttributes(conversationID: view.id, attributes: attributes))
        }
        if body.has("priority") {
            actions.append(.setPriority(conversationID: view.id, priority: try Self.priority(&body)))
        }
        if body.has("team_id") {
            let team = try body.id("team_id")
            if let team, read({ $0.directory.team(team, account: member.accountID) }) == nil {
                throw APIError.notFound("team \(team)")
            }
            actions.append(.assignTeam(conversationID: view.id, teamID: team))
        }
        if body.has("assignee_id") {
            let assignee = try body.id("assignee_id")
            if let assignee { try requireAssignable(assignee, inbox: view.inboxID, member: member) }
            actions.append(.assign(conversationID: view.id, assigneeID: assignee))
        }
        let status = try body.value("status", as: ConversationStatus.self)
        let snoozedUntil = try Self.snoozedUntil(&body, status: status)
        if let status { actions.append(.toggleStatus(conversationID: view.id, status: status, snoozedUntil: snoozedUntil)) }
        body.ignore("additional_attributes")
        try body.finish()
        let key = try idempotencyKey(request)
        for action in actions {
            _ = try await execute(member.command(action), idempotencyKey: key)
        }
        return JSONResponse(try await renderConversation(view.id, for: member))
    }

    /// Refuses an assignee who could not take the conversation before
    /// anything changes, with the errors the domain would give.
    func requireAssignable(_ user: UInt64, inbox: UInt64, member: Member) throws {
        try read { projections in
            guard let role = projections.directory.account(member.accountID)?.members[user] else {
                throw DomainError.notFound("user \(user)")
            }
            guard role == .administrator || projections.directory.inbox(inbox, account: member.accountID)?.members.contains(user) == true
            else { throw DomainError.invalid(field: "assignee_id", reason: "user \(user) is not a member of inbox \(inbox)") }
        }
    }

    /// `priority`: one of Chatwoot's names; null or "none" clears it.
    static func priority(_ body: inout JSONBody) throws -> Priority? {
        guard let name = try body.string("priority", maxLength: 20) else { return nil }
        if name == "none" { return nil }
        guard let priority = Priority(rawValue: name) else {
            throw APIError.invalid("priority", "must be one of low, medium, high, urgent, none or null")
        }
        return priority
    }

    /// `snoozed_until` in epoch seconds (a number or digits), only with status snoozed, in the future.
    static func snoozedUntil(_ body: inout JSONBody, status: ConversationStatus?) throws -> UInt64? {
        guard let until = try body.id("snoozed_until") else { return nil }
        guard status == .snoozed else { throw APIError.invalid("snoozed_until", "only with status snoozed") }
        guard until <= 253_402_300_799, until > UInt64(Date().timeIntervalSince1970) else {
            throw APIError.invalid("snoozed_until", "must be epoch seconds in the future, before year 10000")
        }
        return until
    }

    /// Chatwoot's content types.
    static let contentTypes: Set<String> = [
        "text", "input_text", "input_textarea", "input_email", "input_select", "cards", "form", "article",
        "incoming_email", "input_csat", "integrations", "sticker",
    ]

    /// `content_type`, one of Chatwoot's.
    static func contentType(_ body: inout JSONBody) throws -> String? {
        guard let type = try body.string("content_type", maxLength: 40) else { return nil }
        guard contentTypes.contains(type) else {
            throw APIError.invalid("content_type", "must be one of \(contentTypes.sorted().joined(separator: ", "))")
        }
        return type
    }
}
