import Hummingbird
import ParleyDomain
import ParleyProjections

/// The Public API's contacts: a widget or app creates its contact, then
/// reads and edits it with the `source_id` it got back.
///
/// Identifiers are bound only when proven. An `identifier` counts when it
/// comes with `identifier_hash`, the hex HMAC-SHA256 of the identifier under
/// the inbox's HMAC token (a wrong hash is a 401); an inbox with
/// `hmac_mandatory` refuses contacts without that proof. A proven identifier
/// already known in the account continues that contact (a new contact inbox,
/// so the person sees their conversations from another device). An unproven
/// identifier is not stored, as Chatwoot's Public API drops it: otherwise
/// anyone who knows a person's identifier could take over their contact.
extension ParleyAPI {
    func createPublicContact(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let inbox = try publicInbox(context)
        var body = try await self.body(request)
        let identifier = try body.string("identifier", maxLength: 255)
        let identifierHash = try body.string("identifier_hash", maxLength: 128)
        let name = try body.string("name", maxLength: 255)
        let email = try body.string("email", maxLength: 255)
        let phoneNumber = try body.string("phone_number", maxLength: 32)
        let customAttributes = try body.object("custom_attributes") ?? [:]
        body.ignore("avatar_url")
        try body.finish()
        let proven = try provenIdentifier(identifier, hash: identifierHash, inbox: inbox)
        if inbox.settings.hmacMandatory && proven == nil { throw Self.identityRequired }

        let key = try publicCreationKey(request)
        let sourceID = secretSource(key: key, scope: "public/contacts/\(inbox.id)").make("source_id")
        // A retry of a creation that went through: its key made this very source id.
        if key != nil, let created = read({ $0.directory.contact(inbox: inbox.id, sourceID: sourceID) }) {
            return JSONResponse(publicContactJSON(created, sourceID: sourceID))
        }
        let source = InboxSource(inboxID: inbox.id, sourceID: sourceID)
        let known = proven.flatMap { identifier in
            read { $0.directory.contacts(account: inbox.accountID).first { $0.details.identifier == identifier } }
        }
        let action: Action =
            if let known {
                .createContactInbox(contactID: known.id, inbox: source)
            } else {
                .createContact(
                    details: ContactDetails(
                        name: name ?? "", email: email, phoneNumber: phoneNumber, identifier: proven,
                        customAttributes: customAttributes),
                    inbox: source)
            }
        // Parley itself acts: it has checked the proof the contact brought.
        let outcome = try await execute(
            Command(accountID: inbox.accountID, principal: .system, action: action), idempotencyKey: key)
        // The source id as stored, so a retry answers with the original one.
        guard let created = outcome.events.lazy.compactMap(\.contactInbox).first,
            let contact = read({ $0.directory.contact(created.contactID, account: inbox.accountID) })
        else { throw APIError.notFound("contact") }
        guard created.inboxID == inbox.id else {
            throw APIError(.conflict, code: "conflict", message: "the Idempotency-Key was used for a contact of another inbox")
        }
        return JSONResponse(publicContactJSON(contact, sourceID: created.sourceID))
    }

    func showPublicContact(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        return JSONResponse(publicContactJSON(caller.contact, sourceID: caller.sourceID))
    }

    /// Changes the contact's name, email, phone number and custom attributes
    /// (merged into the current ones, as Chatwoot does). A null clears email
    /// or phone number. An identifier is set only with its proof.
    func updatePublicContact(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let caller = try publicCaller(context)
        var details = caller.contact.details
        var body = try await self.body(request)
        if body.has("name") { details.name = try body.string("name", maxLength: 255) ?? "" }
        if body.has("email") { details.email = try body.string("email", maxLength: 255) }
        if body.has("phone_number") { details.phoneNumber = try body.string("phone_number", maxLength: 32) }
        if let attributes = try body.object("custom_attributes") {
            details.customAttributes.merge(attributes) { _, new in new }
        }
        let identifier = try body.string("identifier", maxLength: 255)
        let identifierHash = try body.string("identifier_hash", maxLength: 128)
        body.ignore("avatar_url")
        try body.finish()
        if let proven = try provenIdentifier(identifier ?? details.identifier, hash: identifierHash, inbox: caller.inbox) {
            details.identifier = proven
        }
        if details != caller.contact.details {
            _ = try await execute(
                caller.command(.updateContact(contactID: caller.contact.id, details: details)),
                idempotencyKey: try idempotencyKey(request))
        }
        guard let contact = read({ $0.directory.contact(caller.contact.id, account: caller.accountID) }) else {
            throw APIError.notFound("contact")
        }
        return JSONResponse(publicContactJSON(contact, sourceID: caller.sourceID))
    }

    private func publicContactJSON(_ contact: ContactView, sourceID: String) -> JSONOut {
        .publicContact(contact, sourceID: sourceID, pubsubToken: contactRealtimeToken(account: contact.accountID, contact: contact.id))
    }

    /// The identifier `hash` proves, or nil without a hash; a hash that does
    /// not match (or comes without an identifier) is refused.
    func provenIdentifier(_ identifier: String?, hash: String?, inbox: InboxView) throws -> String? {
        guard let hash else { return nil }
        guard let identifier,
            Crypto.constantTimeEquals(hash.lowercased(), Crypto.hmacSHA256Hex(key: inbox.hmacToken, message: identifier))
        else { throw Self.identityRefused }
        return identifier
    }

    /// The `Idempotency-Key` of an unauthenticated contact creation. A retry
    /// with the key answers with the contact's source id, so the key is as
    /// secret as the source id: it must be long enough not to be guessed.
    private func publicCreationKey(_ request: Request) throws -> String? {
        guard let key = try idempotencyKey(request) else { return nil }
        guard key.utf8.count >= 32 else {
            throw APIError.invalid("Idempotency-Key", "must be at least 32 characters (a random UUID) for contact creation")
        }
        return key
    }

    static let identityRefused = APIError(
        .unauthorized, code: "invalid_identifier_hash",
        message: "identifier_hash must be the hex HMAC-SHA256 of identifier under the inbox's HMAC token")

    static let identityRequired = APIError(
        .unauthorized, code: "identifier_hash_required",
        message: "this inbox requires identifier and identifier_hash (hex HMAC-SHA256 of identifier under the inbox's HMAC token)")
}

extension StoredEvent {
    /// The contact inbox this event created, if it created one.
    var contactInbox: ContactInboxCreated? {
        if case .contactInboxCreated(let created) = event.body { return created }
        return nil
    }
}
