import Testing

@testable import ParleyDomain

/// Who may do what: tenant isolation, inbox membership, roles, contacts'
/// reach, and the stable error codes.
@Suite struct AccessRuleTests {
    /// Two accounts; Globex has more of everything than Acme, so each of its
    /// ids below exists only in Globex.
    struct TwoTenants {
        var world: World
        let acme: Tenant
        let globex: Tenant
        /// A Globex conversation whose display id Acme does not have.
        let globexOnlyConversation: UInt64
        /// A message in Globex's conversation.
        let globexMessage: UInt64
        /// Globex's team, label, canned response and webhook ids.
        let globexTeam: UInt64
        let globexLabel: UInt64
        let globexCannedResponse: UInt64
        let globexWebhook: UInt64

        init() throws {
            var world = World()
            acme = try world.tenant("Acme")
            globex = try world.tenant("Globex")
            globexOnlyConversation = try world.createConversation(
                in: globex.account, by: .user(globex.agent), inbox: globex.inbox, contact: globex.contact,
                sourceID: globex.sourceID)
            globexMessage = try world.send(
                "Globex secret plans", as: .user(globex.agent), to: globex.conversation, in: globex.account
            ).messageID
            try world.run(.user(globex.admin), .createTeam(name: "Globex Team", description: ""), in: globex.account)
            globexTeam = 1
            try world.run(.user(globex.admin), .createLabel(title: "globex-label", description: "", color: ""), in: globex.account)
            globexLabel = 1
            try world.run(.user(globex.admin), .saveCannedResponse(id: nil, shortCode: "gx", content: "Globex"), in: globex.account)
            globexCannedResponse = 1
            try world.run(.user(globex.admin), .saveWebhook(id: nil, url: "https://globex.example", subscriptions: []), in: globex.account)
            globexWebhook = 1
            self.world = world
        }

        /// Expects `action` refused with `not_found`, exactly as if Globex had
        /// never existed, naming nothing of Globex.
        mutating func expectHidden(
            _ principal: Principal, _ action: Action, in account: UInt64, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let seen = world.refusal(principal, action, in: account, code: "not_found", sourceLocation: sourceLocation)
            var erased = world.erasing(account: globex.account)
            let missing = erased.refusal(principal, action, in: account, code: "not_found", sourceLocation: sourceLocation)
            #expect(seen == missing, sourceLocation: sourceLocation)
            let text = seen.map(\.description) ?? ""
            for name in globex.names + ["Globex", "globex"] {
                #expect(!text.contains(name), "\(text)", sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: Tenant isolation (rule 1)

    @Test func anotherAccountsConversationIsNotFound() throws {
        var scene = try TwoTenants()
        let acme = scene.acme
        let id = scene.globexOnlyConversation
        #expect(scene.world.conversation(id, in: acme.account) == nil)
        let actions: [Action] = [
            .sendMessage(conversationID: id, message: NewMessage(content: "hi")),
            .toggleStatus(conversationID: id, status: nil, snoozedUntil: nil),
            .assign(conversationID: id, assigneeID: acme.agent),
            .setLabels(conversationID: id, labels: ["x"]),
            .typing(conversationID: id, on: true, isPrivate: false),
            .markRead(conversationID: id),
            .markUnread(conversationID: id),
        ]
        for action in actions {
            scene.expectHidden(.user(acme.agent), action, in: acme.account)
            scene.expectHidden(.user(acme.admin), action, in: acme.account)
        }
        scene.world.refuse(
            .user(acme.agent), actions[0], in: acme.account, with: .notFound("conversation \(id)"))
        scene.world.refuse(
            .contact(acme.contact), actions[0], in: acme.account, with: .notFound("conversation \(id)"))
    }

    @Test func anotherAccountIsNotFoundForItsNonMembers() throws {
        var scene = try TwoTenants()
        let (acme, globex) = (scene.acme, scene.globex)
        let actions: [Action] = [
            .sendMessage(conversationID: globex.conversation, message: NewMessage(content: "hi")),
            .updateInbox(inboxID: globex.inbox, settings: InboxSettings(name: "Mine")),
            .updateContact(contactID: globex.contact, details: ContactDetails(name: "Mine")),
            .createLabel(title: "mine", description: "", color: ""),
        ]
        for action in actions {
            scene.expectHidden(.user(acme.agent), action, in: globex.account)
            scene.expectHidden(.user(acme.admin), action, in: globex.account)
            scene.expectHidden(.contact(acme.contact), action, in: globex.account)
            scene.world.refuse(.user(acme.admin), action, in: globex.account, with: .notFound("account \(globex.account)"))
        }
        scene.expectHidden(.user(acme.agent), .setAvailability(.online), in: globex.account)
    }

    @Test func anotherAccountsInboxIsNotFound() throws {
        var scene = try TwoTenants()
        let (acme, globex) = (scene.acme, scene.globex)
        scene.expectHidden(
            .user(acme.admin), .updateInbox(inboxID: globex.inbox, settings: InboxSettings(name: "Taken")), in: acme.account)
        scene.expectHidden(
            .user(acme.admin), .setInboxMembers(inboxID: globex.inbox, userIDs: [acme.agent]), in: acme.account)
        scene.expectHidden(
            .user(acme.agent),
            .createConversation(NewConversation(inboxID: globex.inbox, contactID: acme.contact, sourceID: "s")),
            in: acme.account)
        scene.expectHidden(
            .user(acme.agent),
            .createContact(details: ContactDetails(name: "X"), inbox: InboxSource(inboxID: globex.inbox, sourceID: "s")),
            in: acme.account)
        scene.world.refuse(
            .user(acme.admin), .updateInbox(inboxID: globex.inbox, settings: InboxSettings(name: "Taken")), in: acme.account,
            with: .notFound("inbox \(globex.inbox)"))
    }

    @Test func anotherAccountsContactIsNotFound() throws {
        var scene = try TwoTenants()
        let (acme, globex) = (scene.acme, scene.globex)
        scene.expectHidden(
            .user(acme.agent), .updateContact(contactID: globex.contact, details: ContactDetails(name: "Mine")), in: acme.account)
        scene.expectHidden(
            .user(acme.agent),
            .createContactInbox(contactID: globex.contact, inbox: InboxSource(inboxID: acme.inbox, sourceID: "s")),
            in: acme.account)
        scene.expectHidden(
            .user(acme.agent),
            .createConversation(NewConversation(inboxID: acme.inbox, contactID: globex.contact, sourceID: "s")),
            in: acme.account)
        scene.world.refuse(
            .user(acme.agent), .updateContact(contactID: globex.contact, details: ContactDetails(name: "Mine")),
            in: acme.account, with: .notFound("contact \(globex.contact)"))
    }

    @Test func anotherAccountsMessagesUsersAndSettingsAreNotFound() throws {
        var scene = try TwoTenants()
        let (acme, globex) = (scene.acme, scene.globex)
        scene.expectHidden(
            .user(acme.agent),
            .updateMessage(conversationID: acme.conversation, messageID: scene.globexMessage, content: "x", contentAttributes: [:]),
            in: acme.account)
        scene.expectHidden(
            .user(acme.admin), .deleteMessage(conversationID: acme.conversation, messageID: scene.globexMessage), in: acme.account)
        scene.expectHidden(.user(acme.agent), .assign(conversationID: acme.conversation, assigneeID: globex.agent), in: acme.account)
        scene.expectHidden(.user(acme.admin), .setInboxMembers(inboxID: acme.inbox, userIDs: [globex.agent]), in: acme.account)
        scene.expectHidden(.user(acme.admin), .updateAccountUser(userID: globex.admin, role: .agent), in: acme.account)
        scene.expectHidden(.user(acme.admin), .removeAccountUser(userID: globex.admin), in: acme.account)
        scene.expectHidden(.user(acme.agent), .assignTeam(conversationID: acme.conversation, teamID: scene.globexTeam), in: acme.account)
        scene.expectHidden(.user(acme.admin), .setTeamMembers(teamID: scene.globexTeam, userIDs: []), in: acme.account)
        scene.expectHidden(.user(acme.admin), .deleteLabel(labelID: scene.globexLabel), in: acme.account)
        scene.expectHidden(
            .user(acme.agent), .saveCannedResponse(id: scene.globexCannedResponse, shortCode: "a", content: "b"), in: acme.account)
        scene.expectHidden(.user(acme.agent), .deleteCannedResponse(id: scene.globexCannedResponse), in: acme.account)
        scene.expectHidden(
            .user(acme.admin), .saveWebhook(id: scene.globexWebhook, url: "https://acme.example", subscriptions: []), in: acme.account)
        scene.expectHidden(.user(acme.admin), .deleteWebhook(id: scene.globexWebhook), in: acme.account)
    }

    @Test func sameNamesInAnotherAccountDoNotClash() throws {
        var scene = try TwoTenants()
        let acme = scene.acme
        // Globex's label, team and canned response names are free in Acme.
        try scene.world.run(.user(acme.admin), .createLabel(title: "globex-label", description: "", color: ""), in: acme.account)
        try scene.world.run(.user(acme.admin), .createTeam(name: "Globex Team", description: ""), in: acme.account)
        try scene.world.run(.user(acme.agent), .saveCannedResponse(id: nil, shortCode: "gx", content: "x"), in: acme.account)
        let contact = try scene.world.createContact(
            "Reuse", in: acme.account, by: .user(acme.agent), inbox: acme.inbox, sourceID: scene.globex.sourceID)
        #expect(contact == 3)
        let account = try #require(scene.world.state.accounts[acme.account])
        #expect(account.labels == ["globex-label": 2])
        #expect(account.teams[2]?.name == "Globex Team")
        #expect(account.cannedResponses == [2: "gx"])
    }

    // MARK: Inbox membership and roles (rule 5)

    @Test func agentsActOnlyInTheirInboxes() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let id = acme.conversation
        let forbidden = DomainError.forbidden("not a member of inbox \(acme.inbox)")
        let actions: [Action] = [
            .sendMessage(conversationID: id, message: NewMessage(content: "hi")),
            .toggleStatus(conversationID: id, status: nil, snoozedUntil: nil),
            .assign(conversationID: id, assigneeID: nil),
            .assignTeam(conversationID: id, teamID: nil),
            .setLabels(conversationID: id, labels: ["x"]),
            .setPriority(conversationID: id, priority: .high),
            .setCustomAttributes(conversationID: id, attributes: ["a": .null]),
            .typing(conversationID: id, on: true, isPrivate: false),
            .markRead(conversationID: id),
            .markUnread(conversationID: id),
            .createConversation(NewConversation(inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID)),
        ]
        for action in actions {
            world.refuse(.user(acme.outsider), action, in: acme.account, with: forbidden)
        }
        // Once a member, the same agent may.
        try world.run(.user(acme.admin), .setInboxMembers(inboxID: acme.inbox, userIDs: [acme.agent, acme.outsider]), in: acme.account)
        let sent = try world.send("now I can", as: .user(acme.outsider), to: id, in: acme.account)
        #expect(sent.sender == .agent(acme.outsider))
        // Removed from the inbox, not any more.
        try world.run(.user(acme.admin), .setInboxMembers(inboxID: acme.inbox, userIDs: [acme.outsider]), in: acme.account)
        world.refuse(.user(acme.agent), actions[0], in: acme.account, with: forbidden)
    }

    @Test func administratorsActInEveryInbox() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        #expect(world.state.accounts[acme.account]?.inboxes[acme.inbox]?.members.contains(acme.admin) == false)
        let sent = try world.send("admin here", as: .user(acme.admin), to: acme.conversation, in: acme.account)
        #expect(sent.sender == .agent(acme.admin))
        try world.run(.user(acme.admin), .assign(conversationID: acme.conversation, assigneeID: acme.admin), in: acme.account)
        try world.run(.user(acme.admin), .toggleStatus(conversationID: acme.conversation, status: nil, snoozedUntil: nil), in: acme.account)
        let created = try world.createConversation(
            in: acme.account, by: .user(acme.admin), inbox: acme.inbox, contact: acme.contact, sourceID: acme.sourceID)
        #expect(created == 2)
    }

    @Test func adminOnlyActionsAreForbiddenToAgents() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.admin), .createTeam(name: "Billing", description: ""), in: acme.account)
        try world.run(.user(acme.admin), .createLabel(title: "billing", description: "", color: ""), in: acme.account)
        try world.run(.user(acme.admin), .saveWebhook(id: nil, url: "https://hooks.example.com", subscriptions: []), in: acme.account)
        let actions: [Action] = [
            .updateAccount(name: "Mine", locale: "en"),
            .updateAccountUser(userID: acme.agent, role: .administrator),
            .removeAccountUser(userID: acme.admin),
            .createInbox(channelType: .api, inboxIdentifier: "new", hmacToken: "h", settings: InboxSettings(name: "New")),
            .updateInbox(inboxID: acme.inbox, settings: InboxSettings(name: "Renamed")),
            .setInboxMembers(inboxID: acme.inbox, userIDs: [acme.agent, acme.outsider]),
            .createTeam(name: "Sales", description: ""),
            .setTeamMembers(teamID: 1, userIDs: [acme.agent]),
            .createLabel(title: "sales", description: "", color: ""),
            .deleteLabel(labelID: 1),
            .saveWebhook(id: nil, url: "https://evil.example.com", subscriptions: []),
            .saveWebhook(id: 1, url: "https://evil.example.com", subscriptions: []),
            .deleteWebhook(id: 1),
        ]
        for action in actions {
            world.refuse(.user(acme.agent), action, in: acme.account, with: .forbidden("administrators only"))
            world.refuse(.contact(acme.contact), action, in: acme.account, with: .forbidden("administrators only"))
        }
        // Adding users by id is the platform app's alone: an id would tell who uses the platform.
        for principal in [Principal.user(acme.admin), .user(acme.agent), .contact(acme.contact)] {
            world.refuse(
                principal, .addAccountUser(userID: acme.outsider, role: .administrator), in: acme.account,
                with: .forbidden("platform apps only"))
        }
    }

    @Test func platformOnlyActionsAreForbiddenToUsers() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let actions: [Action] = [
            .createAccount(name: "Shadow", locale: "en"),
            .createUser(name: "Shadow", email: "shadow@example.com", tokenSha256: tokenHash(5)),
        ]
        for action in actions {
            world.refuse(.user(acme.admin), action, in: acme.account, with: .forbidden("platform apps only"))
            world.refuse(.user(acme.admin), action, in: Platform.accountID, with: .forbidden("platform apps only"))
            world.refuse(.user(acme.agent), action, in: acme.account, with: .forbidden("platform apps only"))
            world.refuse(.contact(acme.contact), action, in: acme.account, with: .forbidden("platform apps only"))
            world.refuse(.system, action, in: acme.account, with: .forbidden("platform apps only"))
        }
    }

    @Test func platformDoesNotWorkInConversations() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let forbidden = DomainError.forbidden("platform apps manage accounts and users only")
        let actions: [Action] = [
            .sendMessage(conversationID: acme.conversation, message: NewMessage(content: "hi")),
            .toggleStatus(conversationID: acme.conversation, status: nil, snoozedUntil: nil),
            .typing(conversationID: acme.conversation, on: true, isPrivate: false),
            .createConversation(NewConversation(inboxID: acme.inbox, contactID: acme.contact, sourceID: acme.sourceID)),
            .saveCannedResponse(id: nil, shortCode: "p", content: "p"),
        ]
        for action in actions {
            world.refuse(.platform, action, in: acme.account, with: forbidden)
        }
    }

    // MARK: Contacts' reach (rule 6)

    @Test func contactReachesOnlyItsOwnConversations() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let other = try world.createContact("Other", in: acme.account, by: .user(acme.agent), inbox: acme.inbox, sourceID: "other-1")
        let theirs = try world.createConversation(
            in: acme.account, by: .user(acme.agent), inbox: acme.inbox, contact: other, sourceID: "other-1")
        let actions: [Action] = [
            .sendMessage(conversationID: theirs, message: NewMessage(content: "peek")),
            .toggleStatus(conversationID: theirs, status: .resolved, snoozedUntil: nil),
            .typing(conversationID: theirs, on: true, isPrivate: false),
            .markRead(conversationID: theirs),
            .submitCSAT(conversationID: theirs, rating: 1, feedback: ""),
        ]
        for action in actions {
            let seen = world.refusal(.contact(acme.contact), action, in: acme.account, code: "not_found")
            // Exactly what a conversation that does not exist gets.
            var without = world
            without.state.accounts[acme.account]?.conversations[theirs] = nil
            let missing = without.refusal(.contact(acme.contact), action, in: acme.account, code: "not_found")
            #expect(seen == missing)
            #expect(seen == .notFound("conversation \(theirs)"))
            #expect(!(seen?.description.contains("Other") ?? true))
        }
        // The contact's own conversation works.
        let own = try world.send("mine", as: .contact(acme.contact), to: acme.conversation, in: acme.account)
        #expect(own.sender == .contact(acme.contact))
    }

    @Test func contactsCannotAssignLabelOrPrioritise() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.admin), .createTeam(name: "Billing", description: ""), in: acme.account)
        let id = acme.conversation
        let actions: [Action] = [
            .assign(conversationID: id, assigneeID: acme.agent),
            .assign(conversationID: id, assigneeID: nil),
            .assignTeam(conversationID: id, teamID: 1),
            .setLabels(conversationID: id, labels: ["urgent"]),
            .setPriority(conversationID: id, priority: .urgent),
            .setCustomAttributes(conversationID: id, attributes: ["vip": .bool(true)]),
            .markUnread(conversationID: id),
            .updateMessage(conversationID: id, messageID: 1, content: "x", contentAttributes: [:]),
            .deleteMessage(conversationID: id, messageID: 1),
        ]
        try world.send("first", as: .contact(acme.contact), to: id, in: acme.account)
        for action in actions {
            world.refuse(.contact(acme.contact), action, in: acme.account, with: .forbidden("agents only"))
        }
        world.refuse(
            .contact(acme.contact),
            .sendMessage(conversationID: id, message: NewMessage(content: "note", isPrivate: true)),
            in: acme.account, with: .forbidden("contacts have no private notes"))
    }

    // MARK: Stable codes (rule 12)

    static let codes: [(DomainError, String)] = [
        (.notFound("conversation 7"), "not_found"),
        (.forbidden("administrators only"), "forbidden"),
        (.invalid(field: "name", reason: "must not be empty"), "invalid_argument"),
        (.conflict("label vip"), "conflict"),
        (.contentTooLong(length: 150_001, limit: 150_000), "content_too_long"),
        (.tooManyAttachments(count: 16, limit: 15), "too_many_attachments"),
        (.rateLimited(conversationID: 7), "rate_limited"),
        (.contactBlocked(contactID: 3), "contact_blocked"),
    ]

    @Test(arguments: codes)
    func errorCodeIsStable(error: DomainError, code: String) {
        #expect(error.code == code)
    }

    /// Every case is in ``codes`` (a new case breaks this switch), and no two share a code.
    @Test func everyErrorCaseHasItsOwnCode() {
        func index(_ error: DomainError) -> Int {
            switch error {
            case .notFound: 0
            case .forbidden: 1
            case .invalid: 2
            case .conflict: 3
            case .contentTooLong: 4
            case .tooManyAttachments: 5
            case .rateLimited: 6
            case .contactBlocked: 7
            }
        }
        #expect(Set(Self.codes.map { index($0.0) }) == Set(0...7))
        #expect(Set(Self.codes.map(\.1)).count == Self.codes.count)
    }

    @Test func errorMessagesSayWhatHappened() {
        #expect(DomainError.notFound("conversation 7").description == "conversation 7 not found")
        #expect(DomainError.forbidden("agents only").description == "forbidden: agents only")
        #expect(DomainError.invalid(field: "name", reason: "must not be empty").description == "name: must not be empty")
        #expect(DomainError.conflict("label vip").description == "label vip already exists")
        #expect(
            DomainError.contentTooLong(length: 150_001, limit: 150_000).description
                == "content is 150001 characters; the limit is 150000")
        #expect(DomainError.tooManyAttachments(count: 16, limit: 15).description == "16 attachments; the limit is 15")
        #expect(
            DomainError.rateLimited(conversationID: 7).description
                == "conversation 7 received 200 messages this minute; retry later")
        #expect(DomainError.contactBlocked(contactID: 3).description == "contact 3 is blocked")
    }
}
