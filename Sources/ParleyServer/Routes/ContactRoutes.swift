import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{id}/contacts`: any member lists, searches, creates and
/// edits the account's contacts, as in Chatwoot. Contact inboxes are created,
/// and shown, only in inboxes the caller works in.
extension ParleyAPI {
    /// Chatwoot's contacts page size.
    static let contactsPerPage = 15

    func addContactRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.post("contacts") { request, context in try await self.createContact(request, context: context) }
        account.get("contacts") { request, context in try await self.listContacts(request, context: context) }
        account.get("contacts/search") { request, context in try await self.searchContacts(request, context: context) }
        account.get("contacts/:contact_id") { request, context in
            let member = try self.requireMember(request, context: context)
            let id = try context.pathID("contact_id")
            return JSONResponse(["payload": try self.renderContact(id, for: member, withContactInboxes: try Self.withContactInboxes(request))])
        }
        account.put("contacts/:contact_id") { request, context in try await self.updateContact(request, context: context) }
        account.patch("contacts/:contact_id") { request, context in try await self.updateContact(request, context: context) }
        account.post("contacts/:contact_id/contact_inboxes") { request, context in
            try await self.createContactInbox(request, context: context)
        }
        account.get("contacts/:contact_id/contactable_inboxes") { request, context in
            try await self.contactableInboxes(request, context: context)
        }
    }

    /// The contact fields Chatwoot's contact endpoints take, read from `body`
    /// over `current` (null clears an optional field). Custom attributes are
    /// merged into the current ones, as Chatwoot's update does.
    private func contactDetails(_ body: inout JSONBody, over current: ContactDetails) throws -> ContactDetails {
        var details = current
        if let name = try body.string("name", maxLength: Limits.maxNameLength * 4) { details.name = name }
        for (key, path) in [("email", \ContactDetails.email), ("phone_number", \.phoneNumber), ("identifier", \.identifier)] {
            let isNull = body.isNull(key)
            if let value = try body.string(key, maxLength: Limits.maxNameLength * 4) {
                details[keyPath: path] = value.isEmpty ? nil : value
            } else if isNull {
                details[keyPath: path] = nil
            }
        }
        if let attributes = try body.object("custom_attributes") {
            details.customAttributes.merge(attributes) { $1 }
        }
        if let blocked = try body.bool("blocked") { details.blocked = blocked }
        // Accepted as Chatwoot's clients send them, checked, and not kept.
        _ = try body.object("additional_attributes")
        _ = try body.string("avatar_url", maxLength: 2048)
        return details
    }

    /// Whether contact inboxes are shown (`include_contact_inboxes`, true by default).
    static func withContactInboxes(_ request: Request) throws -> Bool {
        switch try QueryParameters(request).string("include_contact_inboxes", maxLength: 5) {
        case nil, "", "true": true
        case "false": false
        default: throw APIError.invalid("include_contact_inboxes", "must be true or false")
        }
    }

    /// The contact `id` of the member's account, rendered for them.
    func renderContact(_ id: UInt64, for member: Member, withContactInboxes: Bool = true) throws -> JSONOut {
        try read { projections in
            guard let contact = projections.directory.contact(id, account: member.accountID) else {
                throw APIError.notFound("contact \(id)")
            }
            return JSONOut.contact(contact, directory: projections.directory, for: member, withContactInboxes: withContactInboxes)
        }
    }

    /// The inbox `id` if the member works in it (administrators in all); 404 otherwise.
    func workableInbox(_ id: UInt64, for member: Member) throws -> InboxView {
        guard let inbox = read({ $0.directory.inbox(id, account: member.accountID) }), member.worksIn(inbox) else {
            throw APIError.notFound("inbox \(id)")
        }
        return inbox
    }

    func createContact(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        var body = try await self.body(request)
        let details = try contactDetails(&body, over: ContactDetails(name: ""))
        let inboxID = try body.id("inbox_id")
        let givenSource = try body.string("source_id", maxLength: Limits.maxNameLength * 4)
        try body.finish()
        if givenSource != nil && inboxID == nil { throw APIError.invalid("source_id", "needs inbox_id") }
        let key = try idempotencyKey(request)
        var source: InboxSource?
        if let inboxID {
            _ = try workableInbox(inboxID, for: member)
            let sourceID =
                givenSource
                ?? secretSource(key: key, for: member, "contacts").make("source_id")
            source = InboxSource(inboxID: inboxID, sourceID: sourceID)
        }
        let outcome = try await execute(member.command(.createContact(details: details, inbox: source)), idempotencyKey: key)
        let contactID = try outcome.first { if case .contactCreated(let e) = $0 { e.contactID } else { nil } }
        let contactInbox = outcome.events.lazy.compactMap { stored -> ContactInboxCreated? in
            if case .contactInboxCreated(let e) = stored.event.body { e } else { nil }
        }.first
        let contact = try renderContact(contactID, for: member)
        let inbox = contactInbox.flatMap { created in read { $0.directory.inbox(created.inboxID, account: member.accountID) } }
        return JSONResponse([
            "payload": [
                "contact": contact,
                "contact_inbox": [
                    "inbox": inbox.map { .inbox($0, showSecrets: member.isAdministrator) } ?? nil,
                    "source_id": .string(contactInbox?.sourceID),
                ],
            ]
        ])
    }

    /// Chatwoot lists the contacts someone can be told apart by (an email, a
    /// phone number or an identifier), 15 a page, newest first here.
    func listContacts(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let page = try QueryParameters(request).page()
        let withInboxes = try Self.withContactInboxes(request)
        let identified = read { $0.directory.contacts(account: member.accountID) }.filter { contact in
            contact.details.email != nil || contact.details.phoneNumber != nil || contact.details.identifier != nil
        }
        return contactPage(identified, page: page, member: member, withInboxes: withInboxes)
    }

    /// The search runs on a copy of the account's contacts, outside the
    /// projections' lock: it lowercases every one, and the lock is every tenant's.
    func searchContacts(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let query = QueryParameters(request)
        guard let text = try query.string("q", maxLength: 255)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            throw APIError.badRequest("missing_field", "q is required: the text to search for")
        }
        let page = try query.page()
        let withInboxes = try Self.withContactInboxes(request)
        let found = read { $0.directory.contacts(account: member.accountID) }.filter(ContactSearch(text).matches)
        return contactPage(found, page: page, member: member, withInboxes: withInboxes)
    }

    /// Page `page` of `contacts`, rendered (under the lock) for the member.
    private func contactPage(_ contacts: [ContactView], page: Int, member: Member, withInboxes: Bool) -> JSONResponse {
        let start = (page - 1) * Self.contactsPerPage
        let slice = start < contacts.count ? contacts[start..<min(contacts.count, start + Self.contactsPerPage)] : []
        let payload = read { projections in
            slice.map {
                JSONOut.contact($0, directory: projections.directory, for: member, withContactInboxes: withInboxes)
            }
        }
        return JSONResponse([
            "meta": ["count": .int(Int64(contacts.count)), "current_page": .int(Int64(page))], "payload": .array(payload),
        ])
    }

    func updateContact(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let id = try context.pathID("contact_id")
        guard let current = read({ $0.directory.contact(id, account: member.accountID) }) else {
            throw APIError.notFound("contact \(id)")
        }
        var body = try await self.body(request)
        let details = try contactDetails(&body, over: current.details)
        try body.finish()
        _ = try await execute(member.command(.updateContact(contactID: id, details: details)), idempotencyKey: try idempotencyKey(request))
        return JSONResponse(["payload": try renderContact(id, for: member)])
    }

    func createContactInbox(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let contactID = try context.pathID("contact_id")
        guard read({ $0.directory.contact(contactID, account: member.accountID) }) != nil else {
            throw APIError.notFound("contact \(contactID)")
        }
        var body = try await self.body(request)
        let inboxID = try body.requiredID("inbox_id")
        let givenSource = try body.string("source_id", maxLength: Limits.maxNameLength * 4)
        try body.finish()
        _ = try workableInbox(inboxID, for: member)
        let key = try idempotencyKey(request)
        let sourceID =
            givenSource
            ?? secretSource(key: key, for: member, "contacts/\(contactID)/contact_inboxes").make("source_id")
        let outcome = try await execute(
            member.command(.createContactInbox(contactID: contactID, inbox: InboxSource(inboxID: inboxID, sourceID: sourceID))),
            idempotencyKey: key)
        // The inbox as stored: a retry answers like the first request, whatever inbox it names.
        let created = try outcome.first { if case .contactInboxCreated(let e) = $0 { e } else { nil } }
        let inbox = try workableInbox(created.inboxID, for: member)
        return JSONResponse(.contactInbox(sourceID: created.sourceID, inbox: inbox, showSecrets: member.isAdministrator))
    }

    /// The inboxes the caller could reach the contact through: every API inbox
    /// they work in (with the contact's source id there, or a fresh one a new
    /// conversation may use), and web widgets the contact already uses.
    func contactableInboxes(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireMember(request, context: context)
        let contactID = try context.pathID("contact_id")
        let (contact, inboxes) = try read { projections in
            guard let contact = projections.directory.contact(contactID, account: member.accountID) else {
                throw APIError.notFound("contact \(contactID)")
            }
            return (contact, projections.directory.inboxes(account: member.accountID))
        }
        let entries: [JSONOut] = inboxes.compactMap { inbox in
            guard member.worksIn(inbox) else { return nil }
            let existing = contact.contactInboxes.last { $0.inboxID == inbox.id }?.sourceID
            guard let sourceID = existing ?? (inbox.channelType == .api ? Crypto.randomHex(bytes: 24) : nil) else { return nil }
            return .contactInbox(sourceID: sourceID, inbox: inbox, showSecrets: member.isAdministrator)
        }
        return JSONResponse(["payload": .array(entries)])
    }
}
