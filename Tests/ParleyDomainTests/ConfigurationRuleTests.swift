import Testing

@testable import ParleyDomain

/// Inboxes (working hours included), inbox members, teams, labels, canned
/// responses, webhooks and audit entries.
@Suite struct ConfigurationRuleTests {
    static let week = (0...6).map { WorkingHours(dayOfWeek: $0, closedAllDay: false, openMinute: 540, closeMinute: 1020) }

    // MARK: Inboxes

    @Test func administratorCreatesInbox() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let settings = InboxSettings(
            name: "Sales", greetingEnabled: true, greetingMessage: "Hi", workingHoursEnabled: true,
            workingHours: Self.week, timezone: "Europe/Berlin", hmacMandatory: true)
        let events = try world.run(
            .user(acme.admin),
            .createInbox(channelType: .webWidget, inboxIdentifier: "sales-widget", hmacToken: "secret", settings: settings),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.admin), streams: ["account:1", "audit:1"],
                    body: .inboxCreated(
                        InboxCreated(
                            inboxID: 2, channelType: .webWidget, inboxIdentifier: "sales-widget", hmacToken: "secret",
                            settings: settings)))
            ])
        let inbox = try #require(world.state.accounts[acme.account]?.inboxes[2])
        #expect(inbox.settings == settings)
        #expect(inbox.members.isEmpty)
        #expect(world.state.inboxesByIdentifier["sales-widget"] == InboxAddress(accountID: acme.account, inboxID: 2))
    }

    @Test func inboxIdentifierIsUniqueInTheAccount() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.admin),
            .createInbox(
                channelType: .api, inboxIdentifier: "inbox-identifier-\(acme.inbox)", hmacToken: "x",
                settings: InboxSettings(name: "Again")),
            in: acme.account, with: .conflict("inbox identifier"))
    }

    /// The Public API addresses an inbox by `/public/api/v1/inboxes/{inbox_identifier}/` alone,
    /// with no account in the path, so an identifier must name one inbox on the whole platform.
    @Test func inboxIdentifierIsUniqueAcrossAccounts() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let globex = try world.tenant("Globex")
        world.refusal(
            .user(globex.admin),
            .createInbox(
                channelType: .webWidget, inboxIdentifier: "inbox-identifier-\(acme.inbox)", hmacToken: "x",
                settings: InboxSettings(name: "Clash")),
            in: globex.account, code: "conflict")
    }

    @Test func inboxSettingsNeedNameAndTimezone() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.admin),
            .createInbox(channelType: .api, inboxIdentifier: "x1", hmacToken: "h", settings: InboxSettings(name: " ")),
            in: acme.account, with: .invalid(field: "name", reason: "must not be empty"))
        world.refuse(
            .user(acme.admin),
            .createInbox(
                channelType: .api, inboxIdentifier: "x1", hmacToken: "h", settings: InboxSettings(name: "A", timezone: "")),
            in: acme.account, with: .invalid(field: "timezone", reason: "must not be empty"))
        world.refuse(
            .user(acme.admin),
            .createInbox(channelType: .api, inboxIdentifier: "", hmacToken: "h", settings: InboxSettings(name: "A")),
            in: acme.account, with: .invalid(field: "inbox_identifier", reason: "must not be empty"))
        world.refuse(
            .user(acme.admin),
            .createInbox(channelType: .api, inboxIdentifier: "x1", hmacToken: "", settings: InboxSettings(name: "A")),
            in: acme.account, with: .invalid(field: "hmac_token", reason: "must not be empty"))
    }

    static let badDays: [WorkingHours] = [
        WorkingHours(dayOfWeek: 7, closedAllDay: false, openMinute: 540, closeMinute: 1020),
        WorkingHours(dayOfWeek: -1, closedAllDay: true, openMinute: 0, closeMinute: 0),
    ]

    @Test(arguments: badDays)
    func workingHoursDayMustBeAWeekday(hours: WorkingHours) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.admin),
            .updateInbox(inboxID: acme.inbox, settings: InboxSettings(name: "S", workingHours: [hours])),
            in: acme.account,
            with: .invalid(field: "working_hours", reason: "day_of_week must be 0 (Sunday) to 6"))
    }

    static let badTimes: [WorkingHours] = [
        WorkingHours(dayOfWeek: 1, closedAllDay: false, openMinute: 600, closeMinute: 600),
        WorkingHours(dayOfWeek: 1, closedAllDay: false, openMinute: 700, closeMinute: 600),
        WorkingHours(dayOfWeek: 1, closedAllDay: false, openMinute: -1, closeMinute: 600),
        WorkingHours(dayOfWeek: 1, closedAllDay: false, openMinute: 0, closeMinute: 1441),
    ]

    @Test(arguments: badTimes)
    func workingHoursOpenBeforeCloseWithinTheDay(hours: WorkingHours) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.admin),
            .updateInbox(inboxID: acme.inbox, settings: InboxSettings(name: "S", workingHours: [hours])),
            in: acme.account,
            with: .invalid(field: "working_hours", reason: "open_minute must come before close_minute, within 0...1440"))
    }

    @Test func workingHoursOneEntryPerDay() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let hours = [
            WorkingHours(dayOfWeek: 2, closedAllDay: false, openMinute: 540, closeMinute: 720),
            WorkingHours(dayOfWeek: 2, closedAllDay: false, openMinute: 780, closeMinute: 1020),
        ]
        world.refuse(
            .user(acme.admin),
            .updateInbox(inboxID: acme.inbox, settings: InboxSettings(name: "S", workingHours: hours)),
            in: acme.account, with: .invalid(field: "working_hours", reason: "one entry per day"))
    }

    @Test func workingHoursAcceptsFullDaysAndClosedDays() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let hours = [
            WorkingHours(dayOfWeek: 0, closedAllDay: true, openMinute: 0, closeMinute: 0),
            WorkingHours(dayOfWeek: 1, closedAllDay: false, openMinute: 0, closeMinute: 1440),
            WorkingHours(dayOfWeek: 6, closedAllDay: false, openMinute: 1439, closeMinute: 1440),
        ]
        let settings = InboxSettings(name: "Support", workingHoursEnabled: true, workingHours: hours, timezone: "Asia/Tokyo")
        let events = try world.run(.user(acme.admin), .updateInbox(inboxID: acme.inbox, settings: settings), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.admin), streams: ["account:1", "audit:1"],
                    body: .inboxUpdated(InboxUpdated(inboxID: acme.inbox, settings: settings)))
            ])
        #expect(world.state.accounts[acme.account]?.inboxes[acme.inbox]?.settings == settings)
        try world.run(
            .user(acme.admin), .updateInbox(inboxID: acme.inbox, settings: InboxSettings(name: "W", workingHours: Self.week)),
            in: acme.account)
        #expect(world.state.accounts[acme.account]?.inboxes[acme.inbox]?.settings.workingHours == Self.week)
    }

    @Test func updatingAnUnknownInboxIsNotFound() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.admin), .updateInbox(inboxID: 99, settings: InboxSettings(name: "S")), in: acme.account,
            with: .notFound("inbox 99"))
    }

    // MARK: Members

    @Test func inboxMembersAreReplacedSortedAndDeduplicated() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .user(acme.admin), .setInboxMembers(inboxID: acme.inbox, userIDs: [acme.outsider, acme.agent, acme.outsider]),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.admin), streams: ["account:1", "audit:1"],
                    body: .inboxMembersChanged(InboxMembersChanged(inboxID: acme.inbox, userIDs: [acme.agent, acme.outsider])))
            ])
        #expect(world.state.accounts[acme.account]?.inboxes[acme.inbox]?.members == [acme.agent, acme.outsider])
        try world.run(.user(acme.admin), .setInboxMembers(inboxID: acme.inbox, userIDs: []), in: acme.account)
        #expect(world.state.accounts[acme.account]?.inboxes[acme.inbox]?.members.isEmpty == true)
    }

    @Test func inboxMembersMustBelongToTheAccount() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let loner = try world.createUser("Loner", email: "loner@example.com")
        world.refuse(
            .user(acme.admin), .setInboxMembers(inboxID: acme.inbox, userIDs: [acme.agent, loner]), in: acme.account,
            with: .notFound("user \(loner)"))
        world.refuse(
            .user(acme.admin), .setInboxMembers(inboxID: 99, userIDs: [acme.agent]), in: acme.account,
            with: .notFound("inbox 99"))
    }

    // MARK: Teams

    @Test func administratorCreatesTeamsWithUniqueNames() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(.user(acme.admin), .createTeam(name: "Billing", description: "Money"), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.admin), streams: ["account:1", "audit:1"],
                    body: .teamCreated(TeamCreated(teamID: 1, name: "Billing", description: "Money")))
            ])
        #expect(world.state.accounts[acme.account]?.teams[1]?.name == "Billing")
        world.refuse(
            .user(acme.admin), .createTeam(name: "BILLING", description: ""), in: acme.account,
            with: .conflict("team BILLING"))
        world.refuse(
            .user(acme.admin), .createTeam(name: "Long", description: String(repeating: "d", count: 256)),
            in: acme.account, with: .invalid(field: "description", reason: "at most 255 characters"))
    }

    @Test func teamMembersAreAccountMembers() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.admin), .createTeam(name: "Billing", description: ""), in: acme.account)
        let events = try world.run(
            .user(acme.admin), .setTeamMembers(teamID: 1, userIDs: [acme.outsider, acme.agent]), in: acme.account)
        #expect(
            events.map(\.body) == [.teamMembersChanged(TeamMembersChanged(teamID: 1, userIDs: [acme.agent, acme.outsider]))])
        #expect(world.state.accounts[acme.account]?.teams[1]?.members == [acme.agent, acme.outsider])
        world.refuse(
            .user(acme.admin), .setTeamMembers(teamID: 1, userIDs: [999]), in: acme.account, with: .notFound("user 999"))
        world.refuse(
            .user(acme.admin), .setTeamMembers(teamID: 7, userIDs: []), in: acme.account, with: .notFound("team 7"))
    }

    // MARK: Labels

    @Test func labelsAreStoredLowercaseAndUnique() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .user(acme.admin), .createLabel(title: "VIP-Customer", description: "Big", color: "#FF8800"), in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.admin), streams: ["account:1", "audit:1"],
                    body: .labelCreated(LabelCreated(labelID: 1, title: "vip-customer", description: "Big", color: "#FF8800")))
            ])
        #expect(world.state.accounts[acme.account]?.labels == ["vip-customer": 1])
        world.refuse(
            .user(acme.admin), .createLabel(title: "vip-CUSTOMER", description: "", color: ""), in: acme.account,
            with: .conflict("label vip-CUSTOMER"))
    }

    @Test(arguments: ["has space", "", "emoji🙂", "dot.ted"])
    func labelTitleIsLettersDigitsDashUnderscore(title: String) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.admin), .createLabel(title: title, description: "", color: ""), in: acme.account,
            with: .invalid(field: "labels", reason: "\"\(title)\": use letters, digits, - and _"))
    }

    @Test(arguments: ["red", "#12345", "#1234567", "#12345g", "123456#"])
    func labelColorIsHashRRGGBB(color: String) throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.admin), .createLabel(title: "billing", description: "", color: color), in: acme.account,
            with: .invalid(field: "color", reason: "expected #rrggbb"))
    }

    /// `Character.isHexDigit` also accepts fullwidth forms (U+FF10…, U+FF21…),
    /// which are not `#rrggbb`.
    @Test func labelColorRejectsFullwidthDigits() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.admin), .createLabel(title: "billing", description: "", color: "#ＦＦ００００"), in: acme.account,
            with: .invalid(field: "color", reason: "expected #rrggbb"))
    }

    @Test func labelsAreDeletedById() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        try world.run(.user(acme.admin), .createLabel(title: "billing", description: "", color: ""), in: acme.account)
        let events = try world.run(.user(acme.admin), .deleteLabel(labelID: 1), in: acme.account)
        #expect(events.map(\.body) == [.labelDeleted(LabelDeleted(labelID: 1, title: "billing"))])
        #expect(world.state.accounts[acme.account]?.labels.isEmpty == true)
        world.refuse(.user(acme.admin), .deleteLabel(labelID: 1), in: acme.account, with: .notFound("label 1"))
    }

    // MARK: Canned responses

    @Test func agentsSaveAndDeleteCannedResponses() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let created = try world.run(
            .user(acme.agent), .saveCannedResponse(id: nil, shortCode: "hello", content: "Hello there"), in: acme.account)
        #expect(
            created == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.agent), streams: ["account:1"],
                    body: .cannedResponseSaved(CannedResponseSaved(cannedResponseID: 1, shortCode: "hello", content: "Hello there")))
            ])
        let replaced = try world.run(
            .user(acme.agent), .saveCannedResponse(id: 1, shortCode: "hi", content: "Hi!"), in: acme.account)
        #expect(replaced.map(\.body) == [.cannedResponseSaved(CannedResponseSaved(cannedResponseID: 1, shortCode: "hi", content: "Hi!"))])
        #expect(world.state.accounts[acme.account]?.cannedResponses == [1: "hi"])
        // Saving a response under its own short code is no clash.
        try world.run(.user(acme.agent), .saveCannedResponse(id: 1, shortCode: "hi", content: "Hi again"), in: acme.account)

        try world.run(.user(acme.admin), .saveCannedResponse(id: nil, shortCode: "bye", content: "Bye"), in: acme.account)
        world.refuse(
            .user(acme.agent), .saveCannedResponse(id: nil, shortCode: "bye", content: "x"), in: acme.account,
            with: .conflict("canned response bye"))
        world.refuse(
            .user(acme.agent), .saveCannedResponse(id: 9, shortCode: "new", content: "x"), in: acme.account,
            with: .notFound("canned response 9"))

        let deleted = try world.run(.user(acme.agent), .deleteCannedResponse(id: 1), in: acme.account)
        #expect(deleted.map(\.body) == [.cannedResponseDeleted(CannedResponseDeleted(cannedResponseID: 1))])
        #expect(world.state.accounts[acme.account]?.cannedResponses == [2: "bye"])
        world.refuse(.user(acme.agent), .deleteCannedResponse(id: 1), in: acme.account, with: .notFound("canned response 1"))
        world.refuse(
            .contact(acme.contact), .saveCannedResponse(id: nil, shortCode: "c", content: "c"), in: acme.account,
            with: .forbidden("agents only"))
    }

    /// A canned response is message content: up to ``Limits/maxContentLength``
    /// characters, like the messages it is pasted into (only its short code
    /// is a 255-character name).
    @Test func cannedResponseContentUpTo150000Characters() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let paragraph = String(repeating: "c", count: 1_000)
        let events = try world.run(
            .user(acme.agent), .saveCannedResponse(id: nil, shortCode: "policy", content: paragraph), in: acme.account)
        #expect(events.map(\.body) == [.cannedResponseSaved(CannedResponseSaved(cannedResponseID: 1, shortCode: "policy", content: paragraph))])
        world.refuse(
            .user(acme.agent),
            .saveCannedResponse(id: nil, shortCode: "long", content: String(repeating: "c", count: 150_001)),
            in: acme.account, with: .contentTooLong(length: 150_001, limit: 150_000))
    }

    @Test func cannedResponseShortCodeAndContentArePresent() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        world.refuse(
            .user(acme.agent), .saveCannedResponse(id: nil, shortCode: " ", content: "x"), in: acme.account,
            with: .invalid(field: "short_code", reason: "must not be empty"))
        world.refuse(
            .user(acme.agent), .saveCannedResponse(id: nil, shortCode: String(repeating: "s", count: 256), content: "x"),
            in: acme.account, with: .invalid(field: "short_code", reason: "at most 255 characters"))
        world.refuse(
            .user(acme.agent), .saveCannedResponse(id: nil, shortCode: "empty", content: ""), in: acme.account,
            with: .invalid(field: "content", reason: "must not be empty"))
    }

    // MARK: Webhooks

    @Test func webhooksSubscribeToChatwootEvents() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let created = try world.run(
            .user(acme.admin),
            .saveWebhook(id: nil, url: "https://hooks.example.com/a", subscriptions: ["message_created", "contact_created", "message_created"]),
            in: acme.account)
        #expect(
            created == [
                DomainEvent(
                    accountID: acme.account, actor: .agent(acme.admin), streams: ["account:1", "audit:1"],
                    body: .webhookSaved(
                        WebhookSaved(webhookID: 1, url: "https://hooks.example.com/a", subscriptions: ["contact_created", "message_created"])))
            ])
        let all = try world.run(
            .user(acme.admin), .saveWebhook(id: 1, url: "http://hooks.example.com/b", subscriptions: []), in: acme.account)
        #expect(all.map(\.body) == [.webhookSaved(WebhookSaved(webhookID: 1, url: "http://hooks.example.com/b", subscriptions: WebhookEvents.all))])
        #expect(world.state.accounts[acme.account]?.webhooks == [1])

        world.refuse(
            .user(acme.admin), .saveWebhook(id: nil, url: "ftp://hooks.example.com", subscriptions: []), in: acme.account,
            with: .invalid(field: "url", reason: "expected an http or https URL"))
        world.refuse(
            .user(acme.admin), .saveWebhook(id: nil, url: "https://a b.com", subscriptions: []), in: acme.account,
            with: .invalid(field: "url", reason: "expected an http or https URL"))
        world.refuse(
            .user(acme.admin), .saveWebhook(id: nil, url: "https://x.com", subscriptions: ["message_created", "nope", "bad"]),
            in: acme.account, with: .invalid(field: "subscriptions", reason: "unknown events: nope, bad"))
        world.refuse(
            .user(acme.admin), .saveWebhook(id: 5, url: "https://x.com", subscriptions: []), in: acme.account,
            with: .notFound("webhook 5"))

        let deleted = try world.run(.user(acme.admin), .deleteWebhook(id: 1), in: acme.account)
        #expect(deleted.map(\.body) == [.webhookDeleted(WebhookDeleted(webhookID: 1))])
        #expect(world.state.accounts[acme.account]?.webhooks.isEmpty == true)
        world.refuse(.user(acme.admin), .deleteWebhook(id: 1), in: acme.account, with: .notFound("webhook 1"))
    }

    // MARK: Audit

    @Test func parleyRecordsAuditEntries() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let events = try world.run(
            .system,
            .recordAudit(
                action: "sign_in", targetType: "user", targetID: acme.agent, ipAddress: "203.0.113.7",
                details: ["agent": .string("curl")]),
            in: acme.account)
        #expect(
            events == [
                DomainEvent(
                    accountID: acme.account, actor: .system, streams: ["audit:1"],
                    body: .auditRecorded(
                        AuditRecorded(
                            action: "sign_in", targetType: "user", targetID: acme.agent, ipAddress: "203.0.113.7",
                            details: ["agent": .string("curl")])))
            ])
        try world.run(
            .platform, .recordAudit(action: "export", targetType: "account", targetID: nil, ipAddress: nil, details: [:]),
            in: acme.account)
        world.refuse(
            .user(acme.admin),
            .recordAudit(action: "sign_in", targetType: "user", targetID: nil, ipAddress: nil, details: [:]),
            in: acme.account, with: .forbidden("audit entries are recorded by Parley itself"))
        world.refuse(
            .system, .recordAudit(action: "", targetType: "user", targetID: nil, ipAddress: nil, details: [:]),
            in: acme.account, with: .invalid(field: "action", reason: "must not be empty"))
        world.refuse(
            .system, .recordAudit(action: "x", targetType: "user", targetID: nil, ipAddress: nil, details: [:]),
            in: 99, with: .notFound("account 99"))
    }
}
