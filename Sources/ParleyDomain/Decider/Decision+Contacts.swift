// Contacts and contact inboxes.

extension Decision {
    private func requireDetails(_ details: ContactDetails) throws(DomainError) {
        try requireShort(details.name, field: "name")
        if let email = details.email {
            guard email.count <= Limits.maxNameLength, email.split(separator: "@").count == 2, !email.contains(" ") else {
                throw .invalid(field: "email", reason: "not an email address")
            }
        }
        if let phone = details.phoneNumber {
            guard phone.count <= 20, phone.hasPrefix("+"), phone.dropFirst().allSatisfy(ASCII.isDigit), phone.count > 4 else {
                throw .invalid(field: "phone_number", reason: "expected E.164, such as +4930123456")
            }
        }
        if let identifier = details.identifier { try requireName(identifier, field: "identifier") }
    }

    /// Agents and Parley itself (the Public API) create and edit contacts; a contact edits only itself.
    private func contactsAccount(editing contact: UInt64? = nil) throws(DomainError) -> AccountRecord {
        let account = try account()
        switch command.principal {
        case .user, .system: return account
        case .bot: throw .forbidden("the bot does not edit contacts")
        case .contact(let own) where contact == own: return account
        case .contact: throw .forbidden("contacts edit only themselves")
        case .platform: throw .forbidden("platform apps manage accounts and users only")
        }
    }

    private func contactInboxEvent(contact: UInt64, inbox: InboxSource, in account: AccountRecord) throws(DomainError)
        -> DomainEvent?
    {
        guard account.inboxes[inbox.inboxID] != nil else { throw .notFound("inbox \(inbox.inboxID)") }
        try requireName(inbox.sourceID, field: "source_id")
        if let owner = account.contactInboxes[inbox] {
            guard owner == contact else { throw .conflict("source id \(inbox.sourceID)") }
            return nil
        }
        return event(
            .contactInboxCreated(ContactInboxCreated(contactID: contact, inboxID: inbox.inboxID, sourceID: inbox.sourceID)),
            streams: [StreamNames.account(accountID), StreamNames.contact(accountID, contact)])
    }

    func createContact(details: ContactDetails, inbox: InboxSource?) throws(DomainError) -> [DomainEvent] {
        let account = try contactsAccount()
        try requireDetails(details)
        if let identifier = details.identifier, account.contactsByIdentifier[identifier] != nil {
            throw .conflict("contact with identifier \(identifier)")
        }
        let id = state.nextContactID
        var events = [
            event(
                .contactCreated(ContactCreated(contactID: id, details: details)),
                streams: [StreamNames.account(accountID), StreamNames.contact(accountID, id)])
        ]
        if let inbox, let contactInbox = try contactInboxEvent(contact: id, inbox: inbox, in: account) {
            events.append(contactInbox)
        }
        return events
    }

    func updateContact(contactID: UInt64, details: ContactDetails) throws(DomainError) -> [DomainEvent] {
        let account = try contactsAccount(editing: contactID)
        guard let current = account.contacts[contactID] else { throw .notFound("contact \(contactID)") }
        try requireDetails(details)
        var details = details
        // Only agents block and unblock; a contact editing itself keeps its state.
        if case .contact = command.principal { details.blocked = current.details.blocked }
        if let identifier = details.identifier, let owner = account.contactsByIdentifier[identifier], owner != contactID {
            throw .conflict("contact with identifier \(identifier)")
        }
        return [
            event(
                .contactUpdated(ContactUpdated(contactID: contactID, details: details)),
                streams: [StreamNames.account(accountID), StreamNames.contact(accountID, contactID)])
        ]
    }

    func createContactInbox(contactID: UInt64, inbox: InboxSource) throws(DomainError) -> [DomainEvent] {
        let account = try contactsAccount(editing: contactID)
        guard account.contacts[contactID] != nil else { throw .notFound("contact \(contactID)") }
        guard let created = try contactInboxEvent(contact: contactID, inbox: inbox, in: account) else {
            throw .conflict("contact inbox \(inbox.sourceID)")
        }
        return [created]
    }
}
