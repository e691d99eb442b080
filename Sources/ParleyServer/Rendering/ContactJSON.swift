import ParleyDomain
import ParleyProjections

// Chatwoot's JSON for contacts and contact inboxes.

extension JSONOut {
    /// A contact as `member` sees it on the Application API: contact inboxes
    /// only in inboxes they work in (a source id is the contact's credential
    /// on the Public API, so it would open an inbox's conversations to an
    /// agent kept out of them), HMAC tokens only for administrators.
    static func contact(
        _ contact: ContactView, directory: borrowing DirectoryProjection, for member: Member, withContactInboxes: Bool = true
    ) -> JSONOut {
        .contact(
            contact, directory: directory, withContactInboxes: withContactInboxes, showSecrets: member.isAdministrator,
            shownInboxes: member.worksIn)
    }

    /// A contact as Chatwoot's `_contact` partial. Its contact inboxes (each
    /// with the inbox) are included where Chatwoot's `/contacts` endpoints
    /// include them, those in `shownInboxes`; `showSecrets` is passed on to
    /// those inboxes.
    static func contact(
        _ contact: ContactView, directory: borrowing DirectoryProjection, withContactInboxes: Bool = true, showSecrets: Bool,
        shownInboxes: (InboxView) -> Bool = { _ in true }
    ) -> JSONOut {
        let details = contact.details
        var members: [(String, JSONOut)] = [
            ("additional_attributes", [:]), ("availability_status", "offline"), ("email", .string(details.email)),
            ("id", .uint(contact.id)), ("name", .string(details.name)), ("phone_number", .string(details.phoneNumber)),
            ("identifier", .string(details.identifier)), ("blocked", .bool(details.blocked)), ("thumbnail", ""),
            ("custom_attributes", JSONOut(details.customAttributes)), ("last_activity_at", .seconds(contact.lastActivityAt)),
            ("created_at", .seconds(contact.createdAt)),
        ]
        if withContactInboxes {
            let inboxes: [JSONOut] = contact.contactInboxes.compactMap { source in
                guard let inbox = directory.inbox(source.inboxID, account: contact.accountID), shownInboxes(inbox) else { return nil }
                return .contactInbox(sourceID: source.sourceID, inbox: inbox, showSecrets: showSecrets)
            }
            members.append(("contact_inboxes", .array(inboxes)))
        }
        return .object(members)
    }

    /// A contact inbox: the source id a contact is reached under, and the inbox.
    static func contactInbox(sourceID: String, inbox: InboxView, showSecrets: Bool) -> JSONOut {
        ["source_id": .string(sourceID), "inbox": .inbox(inbox, showSecrets: showSecrets)]
    }
}
