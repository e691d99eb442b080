import Testing

@testable import ParleyDomain

/// Contacts, their details and their contact inboxes.
@Suite struct ContactRuleTests {
    @Test func agentCreatesContactWithContactInbox() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let details = ContactDetails(
            name: "Grace", email: "grace@example.com", phoneNumber: "+4930123456", identifier: "crm-17",
            customAttributes: ["plan": .string("pro")])
        let events = try world.run(
            .user(acme.agent), .createContact(details: details, inbox: InboxSource(inboxID: acme.inbox, sourceID: "grace-1")),
            in: acme.account)
        let streams = ["account:1", StreamNames.contact(acme.account, 2)]
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: streams,
                    body: .contactCreated(ContactCreated(contactID: 2, details: details))),
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: streams,
                    body: .contactInboxCreated(ContactInboxCreated(contactID: 2, inboxID: acme.inbox, sourceID: "grace-1"))),
            ])
        let account = try #require(world.state.accounts[acme.account])
        #expect(account.contacts[2]?.details == details)
        #expect(account.contactsByIdentifier["crm-17"] == 2)
        #expect(account.contactInboxes[InboxSource(inboxID: acme.inbox, sourceID: "grace-1")] == 2)
    }

    @Test func parleyCreatesContactsWithoutInbox() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(.system, .createContact(details: ContactDetails(name: "Visitor"), inbox: nil), in: acme.account)
        #expect(events.map(\.body) == [.contactCreated(ContactCreated(contactID: 2, details: ContactDetails(name: "Visitor")))])
        #expect(events.first?.actor == .system)
    }

    @Test func contactsAndPlatformDoNotCreateContacts() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .contact(acme.contact), .createContact(details: ContactDetails(name: "Sock puppet"), inbox: nil),
            in: acme.account, with: .forbidden("contacts edit only themselves"))
        world.refuse(
            .platform, .createContact(details: ContactDetails(name: "P"), inbox: nil), in: acme.account,
            with: .forbidden("platform apps manage accounts and users only"))
    }

    @Test func contactIdentifierIsUniquePerAccount() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let globex = try world.tenant("Globex")
        try world.run(.user(acme.agent), .createContact(details: ContactDetails(name: "A", identifier: "crm-1"), inbox: nil), in: acme.account)
        world.refuse(
            .user(acme.agent), .createContact(details: ContactDetails(name: "B", identifier: "crm-1"), inbox: nil),
            in: acme.account, with: .conflict("contact with identifier crm-1"))
        // Another account has its own identifiers.
        let events = try world.run(
            .user(globex.agent), .createContact(details: ContactDetails(name: "C", identifier: "crm-1"), inbox: nil),
            in: globex.account)
        #expect(events.map(\.type) == ["contact.created"])
    }

    @Test(arguments: ["grace", "grace at example.com", "a@b@c"])
    func contactEmailMustBeAnAddress(email: String) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent), .createContact(details: ContactDetails(name: "G", email: email), inbox: nil),
            in: acme.account, with: .invalid(field: "email", reason: "not an email address"))
    }

    @Test(arguments: ["4930123456", "+49 30 123", "+12", "+123456789012345678901", "+49-30"])
    func contactPhoneMustBeE164(phone: String) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent), .createContact(details: ContactDetails(name: "G", phoneNumber: phone), inbox: nil),
            in: acme.account, with: .invalid(field: "phone_number", reason: "expected E.164, such as +4930123456"))
    }

    @Test func contactNameAtMost255Characters() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent), .createContact(details: ContactDetails(name: String(repeating: "n", count: 256)), inbox: nil),
            in: acme.account, with: .invalid(field: "name", reason: "at most 255 characters"))
    }

    @Test func contactEditsOnlyItself() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let other = try world.createContact(
            "Other", in: acme.account, by: .user(acme.agent), inbox: acme.inbox, sourceID: "other-1")
        let renamed = ContactDetails(name: "Acme Customer Renamed", email: "me@example.com")
        let events = try world.run(.contact(acme.contact), .updateContact(contactID: acme.contact, details: renamed), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .contact(acme.contact), streams: ["account:1", acme.contactStream],
                    body: .contactUpdated(ContactUpdated(contactID: acme.contact, details: renamed)))
            ])
        #expect(world.state.accounts[acme.account]?.contacts[acme.contact]?.details == renamed)
        world.refuse(
            .contact(acme.contact), .updateContact(contactID: other, details: ContactDetails(name: "Hacked")),
            in: acme.account, with: .forbidden("contacts edit only themselves"))
        world.refuse(
            .user(acme.agent), .updateContact(contactID: 99, details: ContactDetails(name: "Ghost")), in: acme.account,
            with: .notFound("contact 99"))
    }

    @Test func changingIdentifierFreesTheOldOne() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(
            .user(acme.agent), .updateContact(contactID: acme.contact, details: ContactDetails(name: "C", identifier: "old")),
            in: acme.account)
        let other = try world.createContact("Other", in: acme.account, by: .user(acme.agent), inbox: acme.inbox, sourceID: "o-1")
        world.refuse(
            .user(acme.agent), .updateContact(contactID: other, details: ContactDetails(name: "O", identifier: "old")),
            in: acme.account, with: .conflict("contact with identifier old"))
        // Keeping one's own identifier is no clash.
        try world.run(
            .user(acme.agent), .updateContact(contactID: acme.contact, details: ContactDetails(name: "C2", identifier: "old")),
            in: acme.account)
        try world.run(
            .user(acme.agent), .updateContact(contactID: acme.contact, details: ContactDetails(name: "C", identifier: "new")),
            in: acme.account)
        #expect(world.state.accounts[acme.account]?.contactsByIdentifier == ["new": acme.contact])
        try world.run(
            .user(acme.agent), .updateContact(contactID: other, details: ContactDetails(name: "O", identifier: "old")),
            in: acme.account)
        #expect(world.state.accounts[acme.account]?.contactsByIdentifier == ["new": acme.contact, "old": other])
    }

    @Test func contactInboxesAreCreatedOncePerSource() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let second = try world.createInbox("Second", in: acme.account, by: acme.admin)
        let events = try world.run(
            .user(acme.agent), .createContactInbox(contactID: acme.contact, inbox: InboxSource(inboxID: second, sourceID: "s-2")),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: ["account:1", acme.contactStream],
                    body: .contactInboxCreated(ContactInboxCreated(contactID: acme.contact, inboxID: second, sourceID: "s-2")))
            ])
        world.refuse(
            .user(acme.agent),
            .createContactInbox(contactID: acme.contact, inbox: InboxSource(inboxID: acme.inbox, sourceID: acme.sourceID)),
            in: acme.account, with: .conflict("contact inbox \(acme.sourceID)"))
        let other = try world.createContact("Other", in: acme.account, by: .user(acme.agent), inbox: second, sourceID: "o-1")
        world.refuse(
            .user(acme.agent),
            .createContactInbox(contactID: other, inbox: InboxSource(inboxID: acme.inbox, sourceID: acme.sourceID)),
            in: acme.account, with: .conflict("source id \(acme.sourceID)"))
        world.refuse(
            .user(acme.agent), .createContactInbox(contactID: other, inbox: InboxSource(inboxID: 99, sourceID: "x")),
            in: acme.account, with: .notFound("inbox 99"))
        world.refuse(
            .user(acme.agent), .createContactInbox(contactID: other, inbox: InboxSource(inboxID: second, sourceID: " ")),
            in: acme.account, with: .invalid(field: "source_id", reason: "must not be empty"))
        // Creating a contact with a source id another contact owns is a conflict too.
        world.refuse(
            .user(acme.agent),
            .createContact(details: ContactDetails(name: "Dup"), inbox: InboxSource(inboxID: acme.inbox, sourceID: acme.sourceID)),
            in: acme.account, with: .conflict("source id \(acme.sourceID)"))
    }

    @Test func agentBlocksAContact() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(
            .user(acme.agent), .updateContact(contactID: acme.contact, details: ContactDetails(name: acme.contactName, blocked: true)),
            in: acme.account)
        #expect(world.state.accounts[acme.account]?.contacts[acme.contact]?.details.blocked == true)
        world.refuse(
            .contact(acme.contact), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "hello?")),
            in: acme.account, with: .contactBlocked(contactID: acme.contact))
    }

    /// Blocking is the agents' decision: a blocked contact editing its own
    /// details (the Public API's contact update) must not be able to lift it.
    @Test func blockedContactCannotUnblockItself() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(
            .user(acme.agent), .updateContact(contactID: acme.contact, details: ContactDetails(name: acme.contactName, blocked: true)),
            in: acme.account)
        _ = try? world.run(
            .contact(acme.contact), .updateContact(contactID: acme.contact, details: ContactDetails(name: acme.contactName, blocked: false)),
            in: acme.account)
        #expect(world.state.accounts[acme.account]?.contacts[acme.contact]?.details.blocked == true)
        world.refuse(
            .contact(acme.contact), .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "I'm back")),
            in: acme.account, with: .contactBlocked(contactID: acme.contact))
    }

    /// E.164 allows ASCII digits only; `Character.isNumber` also accepts `½`, `①` and other scripts' digits.
    @Test(arguments: ["+4930½23456", "+49①0123456", "+٤٩٣٠١٢٣٤٥٦"])
    func contactPhoneRejectsNonASCIIDigits(phone: String) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent), .createContact(details: ContactDetails(name: "G", phoneNumber: phone), inbox: nil),
            in: acme.account, with: .invalid(field: "phone_number", reason: "expected E.164, such as +4930123456"))
    }
}
