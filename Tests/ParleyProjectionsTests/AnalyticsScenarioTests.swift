import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections
import Testing

/// Seconds since 1970 of an ISO 8601 UTC time such as `2024-03-04T23:30:00Z`.
private func utc(_ text: String) -> UInt64 {
    UInt64(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970)
}

/// 2024-03-04 00:00 UTC, a Monday.
private let monday: UInt64 = 1_709_510_400

/// Small exact report scenarios with a clock the test sets: each metric's
/// definition, its attribution and dimensions, and the buckets.
@Suite struct AnalyticsScenarioTests {
    /// Account 1 with an administrator (user 1) and agents 2 and 3, inboxes 1
    /// and 2 (both agents members), team 1 and the labels billing and vip; set
    /// up a week before `monday`.
    final class World {
        let ledger: CommandLedger
        let clock: AnalyticsClock
        private var contacts: [UInt64: UInt64] = [:]

        init(_ ledger: CommandLedger, _ clock: AnalyticsClock) {
            self.ledger = ledger
            self.clock = clock
        }

        static func with(_ body: (World) async throws -> Void) async throws {
            let clock = AnalyticsClock(millis: (monday - 7 * 86_400) * 1000)
            try await withClockedLedger(clock) { ledger in
                let world = World(ledger, clock)
                try await world.setUp()
                try await body(world)
            }
        }

        private func setUp() async throws {
            let platform = Platform.accountID
            try await run(.platform, .createAccount(name: "Acme", locale: "en"), account: platform)
            for name in ["Ada", "Bo", "Cy"] {
                try await run(
                    .platform, .createUser(name: name, email: "\(name.lowercased())@acme.test", tokenSha256: tokenHash), account: platform)
            }
            try await run(.platform, .addAccountUser(userID: 1, role: .administrator))
            try await run(.platform, .addAccountUser(userID: 2, role: .agent))
            try await run(.platform, .addAccountUser(userID: 3, role: .agent))
            for inbox in 1...2 {
                try await run(
                    .user(1),
                    .createInbox(
                        channelType: .api, inboxIdentifier: "inbox-\(inbox)", hmacToken: "h\(inbox)", settings: InboxSettings(name: "Inbox \(inbox)")))
                try await run(.user(1), .setInboxMembers(inboxID: UInt64(inbox), userIDs: [2, 3]))
            }
            try await run(.user(1), .createTeam(name: "Tier 1", description: ""))
            try await run(.user(1), .createLabel(title: "billing", description: "", color: ""))
            try await run(.user(1), .createLabel(title: "vip", description: "", color: ""))
        }

        /// Moves the clock to `seconds` (forward only).
        func at(_ seconds: UInt64) {
            precondition(seconds * 1000 >= clock.millis)
            clock.set(seconds: seconds)
        }

        @discardableResult
        func run(_ principal: Principal, _ action: Action, account: UInt64 = 1) async throws -> CommandOutcome {
            try await ledger.execute(Command(accountID: account, principal: principal, action: action))
        }

        /// A new contact and its conversation, created by the administrator.
        func conversation(
            inbox: UInt64 = 1, assignee: UInt64? = nil, team: UInt64? = nil, status: ConversationStatus = .open
        ) async throws -> UInt64 {
            let made = try await run(.user(1), .createContact(details: ContactDetails(name: "Visitor"), inbox: nil))
            let contact = try #require(
                made.events.compactMap { if case .contactCreated(let e) = $0.event.body { e.contactID } else { nil } }.first)
            let opened = try await run(
                .user(1),
                .createConversation(
                    NewConversation(
                        inboxID: inbox, contactID: contact, sourceID: "visitor-\(contact)", status: status, assigneeID: assignee, teamID: team)))
            let id = try #require(
                opened.events.compactMap { if case .conversationCreated(let e) = $0.event.body { e.conversationID } else { nil } }.first)
            contacts[id] = contact
            return id
        }

        func contactSays(_ conversation: UInt64) async throws {
            try await run(.contact(contacts[conversation]!), .sendMessage(conversationID: conversation, message: NewMessage(content: "help?")))
        }

        func reply(_ conversation: UInt64, by agent: UInt64, isPrivate: Bool = false, type: MessageType = .outgoing) async throws {
            try await run(
                .user(agent),
                .sendMessage(conversationID: conversation, message: NewMessage(content: "on it", messageType: type, isPrivate: isPrivate)))
        }

        func botReplies(_ conversation: UInt64) async throws {
            try await run(.system, .sendMessage(conversationID: conversation, message: NewMessage(content: "I am a bot")))
        }

        func status(_ conversation: UInt64, _ status: ConversationStatus, by agent: UInt64 = 1) async throws {
            let outcome = try await run(.user(agent), .toggleStatus(conversationID: conversation, status: status, snoozedUntil: nil))
            #expect(!outcome.events.isEmpty, "status \(status) changed nothing")
        }

        func rate(_ conversation: UInt64, _ rating: Int) async throws {
            try await run(.contact(contacts[conversation]!), .submitCSAT(conversationID: conversation, rating: rating, feedback: ""))
        }

        var analytics: AnalyticsProjection { ledger.withProjections { $0.analytics } }

        /// Every fact of `metric` for `scope`, over all time.
        func facts(_ metric: ReportMetric, _ scope: ReportScope = .account) -> [ReportFact] {
            analytics.facts(account: 1, metric: metric, scope: scope, since: 0, until: .max)
        }

        func values(_ metric: ReportMetric, _ scope: ReportScope = .account) -> [Double] {
            facts(metric, scope).map(\.value)
        }

        func series(
            _ metric: ReportMetric, _ scope: ReportScope = .account, _ since: String, _ until: String, _ grouping: ReportGrouping,
            offset: Double = 0
        ) -> [ReportPoint] {
            do {
                return try analytics.timeseries(
                    account: 1, metric: metric, scope: scope, since: utc(since), until: utc(until), grouping: grouping,
                    timezoneOffset: offset)
            } catch {
                Issue.record("timeseries refused: \(error)")
                return []
            }
        }

        func summary(_ scope: ReportScope = .account, since: UInt64, until: UInt64) -> [ReportMetric: ReportSummaryValue] {
            analytics.summary(account: 1, scope: scope, since: since, until: until)
        }
    }

    /// Points as `start:value:count`, to compare whole series.
    static func points(_ series: [ReportPoint]) -> [String] {
        series.map { "\($0.timestamp):\($0.value):\($0.count)" }
    }

    static func expected(_ list: [(start: String, value: Double, count: Int)]) -> [String] {
        list.map { "\(utc($0.start)):\($0.value):\($0.count)" }
    }

    // MARK: First response

    /// A conversation a bot took first (created pending) measures its first
    /// response from the hand-off to a human (its first move to open).
    @Test func firstResponseRunsFromTheBotsHandOff() async throws {
        try await World.with { world in
            let t = monday + 9 * 3600
            world.at(t)
            let handedOff = try await world.conversation(status: .pending)
            world.at(t + 5)
            try await world.botReplies(handedOff)
            world.at(t + 100)
            try await world.status(handedOff, .open)
            world.at(t + 160)
            try await world.reply(handedOff, by: 2)
            // A human who answers while the bot still has it: measured from creation.
            world.at(t + 200)
            let early = try await world.conversation(status: .pending)
            world.at(t + 230)
            try await world.reply(early, by: 3)
            world.at(t + 300)
            try await world.status(early, .open)
            let facts = world.facts(.avgFirstResponseTime)
            #expect(facts.map(\.value) == [60, 30])
            #expect(facts.map(\.agentID) == [2, 3])
        }
    }

    @Test func firstResponseIsTheFirstHumanPublicReplyMeasuredOnceForTheReplier() async throws {
        try await World.with { world in
            let t = monday + 9 * 3600
            world.at(t)
            let c = try await world.conversation(assignee: 3)
            world.at(t + 10)
            try await world.contactSays(c)
            world.at(t + 20)
            try await world.reply(c, by: 3, isPrivate: true)
            world.at(t + 30)
            try await world.botReplies(c)
            world.at(t + 40)
            try await world.reply(c, by: 3, type: .template)
            world.at(t + 100)
            try await world.reply(c, by: 2)
            world.at(t + 250)
            try await world.reply(c, by: 3)
            // Neither a later reply nor a reply after a reopen is a first response again.
            world.at(t + 300)
            try await world.status(c, .resolved)
            world.at(t + 400)
            try await world.contactSays(c)
            world.at(t + 450)
            try await world.reply(c, by: 3)

            let facts = world.facts(.avgFirstResponseTime)
            #expect(facts.map(\.value) == [100])
            #expect(facts.map(\.agentID) == [2])
            #expect(facts.map(\.time) == [t + 100])
            #expect(world.facts(.avgFirstResponseTime, .agent(2)).count == 1)
            #expect(world.facts(.avgFirstResponseTime, .agent(3)).isEmpty)
            let day = world.series(.avgFirstResponseTime, .agent(2), "2024-03-04T00:00:00Z", "2024-03-05T00:00:00Z", .day)
            #expect(Self.points(day) == Self.expected([("2024-03-04T00:00:00Z", 100, 1)]))
        }
    }

    @Test func aFirstMessageByTheAgentAtCreationRespondsInZeroSeconds() async throws {
        try await World.with { world in
            world.at(monday + 60)
            let made = try await world.run(.user(1), .createContact(details: ContactDetails(name: "V"), inbox: nil))
            let contact = try #require(made.events.compactMap { if case .contactCreated(let e) = $0.event.body { e.contactID } else { nil } }.first)
            try await world.run(
                .user(2),
                .createConversation(
                    NewConversation(inboxID: 1, contactID: contact, sourceID: "v", message: NewMessage(content: "Hi, can I help?"))))
            #expect(world.values(.avgFirstResponseTime, .agent(2)) == [0])
            #expect(world.values(.outgoingMessagesCount, .agent(2)) == [1])
            #expect(world.facts(.replyTime).isEmpty)
        }
    }

    @Test func botAndPrivateRepliesAreNoFirstResponse() async throws {
        try await World.with { world in
            world.at(monday)
            let c = try await world.conversation()
            world.at(monday + 5)
            try await world.contactSays(c)
            world.at(monday + 6)
            try await world.botReplies(c)
            world.at(monday + 7)
            try await world.reply(c, by: 2, isPrivate: true)
            #expect(world.facts(.avgFirstResponseTime).isEmpty)
            #expect(world.facts(.replyTime).isEmpty)
            // The bot's message is outgoing, for no agent; the note is not.
            #expect(world.facts(.outgoingMessagesCount).map(\.agentID) == [nil])
        }
    }

    // MARK: Reply time

    @Test func replyTimeRunsFromWaitingSinceAndOnlyWhenSomethingWaits() async throws {
        try await World.with { world in
            let t = monday + 3600
            world.at(t)
            let c = try await world.conversation(assignee: 2)
            world.at(t + 5)
            try await world.reply(c, by: 2)  // nothing waiting: a first response, no reply time
            world.at(t + 60)
            try await world.contactSays(c)  // waiting since t+60
            world.at(t + 90)
            try await world.contactSays(c)  // still since t+60
            world.at(t + 150)
            try await world.reply(c, by: 3)  // 90, by agent 3
            world.at(t + 200)
            try await world.reply(c, by: 2)  // nothing waiting
            world.at(t + 300)
            try await world.contactSays(c)  // waiting since t+300
            world.at(t + 310)
            try await world.botReplies(c)  // a bot does not end the wait
            world.at(t + 320)
            try await world.reply(c, by: 2, isPrivate: true)  // nor does a note
            world.at(t + 400)
            try await world.reply(c, by: 2)  // 100, by agent 2

            #expect(world.values(.replyTime) == [90, 100])
            #expect(world.facts(.replyTime).map(\.agentID) == [3, 2])
            #expect(world.values(.replyTime, .agent(3)) == [90])
            let summary = world.summary(since: monday, until: monday + 86_400)
            #expect(summary[.replyTime]?.current == 95)
            #expect(summary[.avgFirstResponseTime]?.current == 5)
        }
    }

    @Test func aResolveEndsTheWait() async throws {
        try await World.with { world in
            world.at(monday)
            let c = try await world.conversation(assignee: 2)
            world.at(monday + 100)
            try await world.contactSays(c)
            world.at(monday + 200)
            try await world.status(c, .resolved)
            world.at(monday + 1_000)
            try await world.contactSays(c)  // reopens; waiting since now
            world.at(monday + 1_060)
            try await world.reply(c, by: 2)
            #expect(world.values(.replyTime) == [60])
        }
    }

    // MARK: Resolutions

    @Test func aReopenedConversationsNextResolutionRunsFromTheReopen() async throws {
        try await World.with { world in
            let t = monday + 2 * 3600
            world.at(t)
            let c = try await world.conversation(assignee: 2)
            world.at(t + 1_000)
            try await world.status(c, .resolved, by: 2)  // 1000 from creation
            world.at(t + 5_000)
            try await world.status(c, .open, by: 2)  // reopened by an agent
            world.at(t + 5_600)
            try await world.status(c, .resolved, by: 2)  // 600, not 5600 as upstream
            world.at(t + 9_000)
            try await world.contactSays(c)  // reopened by the contact's message
            world.at(t + 9_100)
            try await world.run(.user(1), .assign(conversationID: c, assigneeID: 3))
            world.at(t + 9_400)
            try await world.status(c, .resolved, by: 1)  // 400, for the assignee (3), not the resolver

            #expect(world.values(.avgResolutionTime) == [1_000, 600, 400])
            #expect(world.facts(.avgResolutionTime).map(\.agentID) == [2, 2, 3])
            #expect(world.values(.resolutionsCount) == [1, 1, 1])
            #expect(world.facts(.resolutionsCount, .agent(2)).count == 2)
            #expect(world.facts(.resolutionsCount, .agent(3)).count == 1)
            #expect(world.facts(.resolutionsCount, .agent(1)).isEmpty)
            let summary = world.summary(since: monday, until: monday + 86_400)
            #expect(summary[.resolutionsCount]?.current == 3)
            #expect(abs((summary[.avgResolutionTime]?.current ?? 0) - 2_000.0 / 3) < 1e-9)
        }
    }

    @Test func pendingAndSnoozedAreNoReopen() async throws {
        try await World.with { world in
            world.at(monday)
            let c = try await world.conversation(status: .pending)
            world.at(monday + 10)
            try await world.status(c, .open)
            world.at(monday + 20)
            try await world.status(c, .snoozed)
            world.at(monday + 30)
            try await world.contactSays(c)  // wakes it: open again
            world.at(monday + 50)
            try await world.status(c, .resolved)
            world.at(monday + 70)
            try await world.status(c, .snoozed)  // leaving resolved: a reopen
            world.at(monday + 100)
            try await world.status(c, .resolved)
            #expect(world.values(.avgResolutionTime) == [50, 30])
            #expect(world.facts(.avgResolutionTime).map(\.agentID) == [nil, nil])
        }
    }

    // MARK: CSAT

    @Test func csatAveragesRatingsAndSatisfactionIsTheShareOfFourAndFive() async throws {
        try await World.with { world in
            world.at(monday)
            var byAgent2: [UInt64] = []
            for _ in 0..<4 { byAgent2.append(try await world.conversation(assignee: 2)) }
            let other = try await world.conversation(assignee: 3)
            world.at(monday + 600)
            for (conversation, rating) in zip(byAgent2, [5, 4, 3, 1]) { try await world.rate(conversation, rating) }
            try await world.rate(other, 2)

            let summary = world.summary(.agent(2), since: monday, until: monday + 86_400)
            #expect(summary[.csatAverage]?.current == 3.25)
            #expect(summary[.csatSatisfaction]?.current == 0.5)
            let account = world.summary(since: monday, until: monday + 86_400)
            #expect(account[.csatAverage]?.current == 3)
            #expect(account[.csatSatisfaction]?.current == 0.4)
            let day = world.series(.csatSatisfaction, .agent(3), "2024-03-04T00:00:00Z", "2024-03-05T00:00:00Z", .day)
            #expect(Self.points(day) == Self.expected([("2024-03-04T00:00:00Z", 0, 1)]))
        }
    }

    // MARK: Counts

    @Test func messageCountsLeaveOutPrivateNotesActivityAndTemplates() async throws {
        try await World.with { world in
            world.at(monday)
            let first = try await world.conversation(inbox: 1, assignee: 2)
            let second = try await world.conversation(inbox: 2)
            world.at(monday + 10)
            try await world.contactSays(first)
            try await world.contactSays(first)
            try await world.reply(first, by: 3, type: .incoming)  // an agent typing in the contact's message
            try await world.contactSays(second)
            try await world.reply(first, by: 2)
            try await world.reply(first, by: 2, isPrivate: true)
            try await world.reply(first, by: 3, type: .template)
            try await world.reply(second, by: 3)
            try await world.botReplies(second)
            try await world.status(first, .resolved)  // an activity message
            try await world.run(.user(1), .assign(conversationID: second, assigneeID: 3))  // another

            #expect(world.facts(.conversationsCount).count == 2)
            #expect(world.facts(.conversationsCount, .inbox(2)).count == 1)
            #expect(world.facts(.conversationsCount, .agent(2)).count == 1)
            #expect(world.facts(.incomingMessagesCount).count == 4)
            #expect(world.facts(.incomingMessagesCount, .agent(2)).count == 3)  // the assignee's
            #expect(world.facts(.incomingMessagesCount, .inbox(2)).count == 1)
            #expect(world.facts(.outgoingMessagesCount).count == 3)
            #expect(world.facts(.outgoingMessagesCount, .agent(2)).count == 1)  // the sender's
            #expect(world.facts(.outgoingMessagesCount, .agent(3)).count == 1)
            #expect(world.facts(.resolutionsCount).count == 1)
            let summary = world.summary(since: monday, until: monday + 3600)
            #expect(summary[.incomingMessagesCount]?.current == 4)
            #expect(summary[.outgoingMessagesCount]?.current == 3)
            #expect(summary[.conversationsCount]?.current == 2)
        }
    }

    // MARK: Scopes

    @Test func factsCarryTheDimensionsTheyHadWhenTheyHappened() async throws {
        try await World.with { world in
            let t = monday + 12 * 3600
            world.at(t)
            let c = try await world.conversation(inbox: 2, assignee: 2, team: 1)
            world.at(t + 10)
            try await world.contactSays(c)  // agent 2, team 1, no labels
            world.at(t + 20)
            try await world.run(.user(1), .setLabels(conversationID: c, labels: ["Billing"]))
            world.at(t + 30)
            try await world.run(.user(1), .assign(conversationID: c, assigneeID: 3))
            world.at(t + 40)
            try await world.run(.user(1), .assignTeam(conversationID: c, teamID: nil))
            world.at(t + 50)
            try await world.contactSays(c)  // agent 3, no team, billing
            world.at(t + 60)
            try await world.reply(c, by: 3)
            world.at(t + 70)
            try await world.run(.user(1), .setLabels(conversationID: c, labels: ["vip"]))
            world.at(t + 80)
            try await world.status(c, .resolved)  // agent 3, no team, vip

            #expect(world.facts(.conversationsCount, .agent(2)).count == 1)
            #expect(world.facts(.conversationsCount, .team(1)).count == 1)
            #expect(world.facts(.conversationsCount, .label("billing")).isEmpty)
            #expect(world.facts(.conversationsCount, .inbox(2)).count == 1)
            #expect(world.facts(.conversationsCount, .inbox(1)).isEmpty)

            #expect(world.facts(.incomingMessagesCount, .inbox(2)).count == 2)
            #expect(world.facts(.incomingMessagesCount, .agent(2)).map(\.time) == [t + 10])
            #expect(world.facts(.incomingMessagesCount, .agent(3)).map(\.time) == [t + 50])
            #expect(world.facts(.incomingMessagesCount, .team(1)).map(\.time) == [t + 10])
            #expect(world.facts(.incomingMessagesCount, .label("billing")).map(\.time) == [t + 50])

            #expect(world.facts(.avgFirstResponseTime, .label("billing")).map(\.value) == [60])
            #expect(world.facts(.replyTime, .label("billing")).map(\.value) == [50])  // waiting since t+10
            #expect(world.facts(.replyTime, .team(1)).isEmpty)

            #expect(world.facts(.resolutionsCount, .label("vip")).count == 1)
            #expect(world.facts(.resolutionsCount, .label("billing")).isEmpty)
            #expect(world.facts(.resolutionsCount, .agent(3)).count == 1)
            #expect(world.facts(.resolutionsCount, .team(1)).isEmpty)
            #expect(world.facts(.resolutionsCount, .inbox(2)).count == 1)

            let billing = world.summary(.label("billing"), since: monday, until: monday + 86_400)
            #expect(billing[.incomingMessagesCount]?.current == 1)
            #expect(billing[.outgoingMessagesCount]?.current == 1)
            #expect(billing[.resolutionsCount]?.current == 0)
        }
    }

    // MARK: Buckets

    /// Conversations created at a–f:
    /// a 2024-03-04 23:29:59, b 23:30:00 (Monday), c 2024-03-10 12:00 and d 20:00 (Sunday),
    /// e 2024-03-11 03:00 (Monday), f 2024-03-31 20:00 (all UTC).
    static func withBucketWorld(_ body: (World) async throws -> Void) async throws {
        try await World.with { world in
            for time in [
                "2024-03-04T23:29:59Z", "2024-03-04T23:30:00Z", "2024-03-10T12:00:00Z", "2024-03-10T20:00:00Z", "2024-03-11T03:00:00Z",
                "2024-03-31T20:00:00Z",
            ] {
                world.at(utc(time))
                _ = try await world.conversation()
            }
            try await body(world)
        }
    }

    @Test func hoursFollowTheOffsetIncludingHalfHours() async throws {
        try await Self.withBucketWorld { world in
            let (since, until) = ("2024-03-04T22:00:00Z", "2024-03-05T01:00:00Z")
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .hour, offset: 5.5))
                    == Self.expected([
                        ("2024-03-04T21:30:00Z", 0, 0), ("2024-03-04T22:30:00Z", 1, 1), ("2024-03-04T23:30:00Z", 1, 1),
                        ("2024-03-05T00:30:00Z", 0, 0),
                    ]))
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .hour, offset: -8))
                    == Self.expected([("2024-03-04T22:00:00Z", 0, 0), ("2024-03-04T23:00:00Z", 2, 2), ("2024-03-05T00:00:00Z", 0, 0)]))
            // A bucket the range starts inside holds only the facts from `since` on.
            #expect(
                Self.points(world.series(.conversationsCount, .account, "2024-03-04T23:30:00Z", until, .hour))
                    == Self.expected([("2024-03-04T23:00:00Z", 1, 1), ("2024-03-05T00:00:00Z", 0, 0)]))
        }
    }

    @Test func daysFollowTheOffsetAndEmptyDaysAreZero() async throws {
        try await Self.withBucketWorld { world in
            let (since, until) = ("2024-03-03T00:00:00Z", "2024-03-07T00:00:00Z")
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .day))
                    == Self.expected([
                        ("2024-03-03T00:00:00Z", 0, 0), ("2024-03-04T00:00:00Z", 2, 2), ("2024-03-05T00:00:00Z", 0, 0),
                        ("2024-03-06T00:00:00Z", 0, 0),
                    ]))
            // 23:30 UTC is 05:00 the next day at +5:30.
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .day, offset: 5.5))
                    == Self.expected([
                        ("2024-03-02T18:30:00Z", 0, 0), ("2024-03-03T18:30:00Z", 0, 0), ("2024-03-04T18:30:00Z", 2, 2),
                        ("2024-03-05T18:30:00Z", 0, 0), ("2024-03-06T18:30:00Z", 0, 0),
                    ]))
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .day, offset: -8))
                    == Self.expected([
                        ("2024-03-02T08:00:00Z", 0, 0), ("2024-03-03T08:00:00Z", 0, 0), ("2024-03-04T08:00:00Z", 2, 2),
                        ("2024-03-05T08:00:00Z", 0, 0), ("2024-03-06T08:00:00Z", 0, 0),
                    ]))
            // Averages are 0 in empty buckets too.
            #expect(
                Self.points(world.series(.avgResolutionTime, .account, since, until, .day, offset: 5.5)).allSatisfy { $0.hasSuffix(":0.0:0") })
        }
    }

    @Test func weeksStartOnMondayInLocalTime() async throws {
        try await Self.withBucketWorld { world in
            let (since, until) = ("2024-03-04T00:00:00Z", "2024-03-18T00:00:00Z")
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .week))
                    == Self.expected([("2024-03-04T00:00:00Z", 4, 4), ("2024-03-11T00:00:00Z", 1, 1)]))
            // At +5:30, Sunday 20:00 UTC is already Monday.
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .week, offset: 5.5))
                    == Self.expected([("2024-03-03T18:30:00Z", 3, 3), ("2024-03-10T18:30:00Z", 2, 2), ("2024-03-17T18:30:00Z", 0, 0)]))
            // At -8, Monday 03:00 UTC is still Sunday, and the range starts on a Sunday.
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .week, offset: -8))
                    == Self.expected([("2024-02-26T08:00:00Z", 0, 0), ("2024-03-04T08:00:00Z", 5, 5), ("2024-03-11T08:00:00Z", 0, 0)]))
        }
    }

    @Test func monthsFollowTheOffsetAcrossALeapFebruary() async throws {
        try await Self.withBucketWorld { world in
            let (since, until) = ("2024-02-10T00:00:00Z", "2024-05-01T00:00:00Z")
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .month))
                    == Self.expected([("2024-02-01T00:00:00Z", 0, 0), ("2024-03-01T00:00:00Z", 6, 6), ("2024-04-01T00:00:00Z", 0, 0)]))
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .month, offset: 5.5))
                    == Self.expected([
                        ("2024-01-31T18:30:00Z", 0, 0), ("2024-02-29T18:30:00Z", 5, 5), ("2024-03-31T18:30:00Z", 1, 1),
                        ("2024-04-30T18:30:00Z", 0, 0),
                    ]))
            #expect(
                Self.points(world.series(.conversationsCount, .account, since, until, .month, offset: -8))
                    == Self.expected([("2024-02-01T08:00:00Z", 0, 0), ("2024-03-01T08:00:00Z", 6, 6), ("2024-04-01T08:00:00Z", 0, 0)]))
        }
    }

    /// A range may start at the epoch ("all time"). The first bucket then
    /// starts before 1970 (1970-01-01 was a Thursday; at -8 its day starts on
    /// 1969-12-31 16:00 UTC); it must not be moved, or every later bucket is
    /// misaligned and the facts fall into none of them.
    @Test func aSeriesFromTheEpochKeepsItsFacts() async throws {
        try await Self.withBucketWorld { world in
            let until = utc("2024-04-01T00:00:00Z")
            for (grouping, offset) in [(ReportGrouping.week, 0.0), (.day, -8), (.month, -8)] {
                let series = try world.analytics.timeseries(
                    account: 1, metric: .conversationsCount, scope: .account, since: 0, until: until, grouping: grouping, timezoneOffset: offset)
                #expect(series.reduce(0) { $0 + $1.count } == 6, "\(grouping) at \(offset)")
                // Every bucket after the first starts where local time starts one.
                let aligned = world.series(.conversationsCount, .account, "2024-03-04T23:30:00Z", "2024-03-04T23:30:01Z", grouping, offset: offset)
                let start = try #require(aligned.first).timestamp
                let hasLocalBucket = series.contains { $0.timestamp == start }
                #expect(hasLocalBucket, "\(grouping) at \(offset): no bucket starts at \(start)")
            }
        }
    }

    /// Hourly buckets since 1970 are more than a series may hold: refused, not cut short.
    @Test func tooManyBucketsAreRefusedNotTruncated() async throws {
        try await Self.withBucketWorld { world in
            #expect(throws: ReportError.tooManyBuckets(limit: AnalyticsProjection.maxBuckets)) {
                try world.analytics.timeseries(
                    account: 1, metric: .conversationsCount, scope: .account, since: 0, until: utc("2024-04-01T00:00:00Z"),
                    grouping: .hour, timezoneOffset: 5.5)
            }
            #expect(throws: ReportError.invalidTimezoneOffset) {
                try world.analytics.timeseries(
                    account: 1, metric: .conversationsCount, scope: .account, since: 0, until: 10, grouping: .day, timezoneOffset: 15)
            }
        }
    }

    @Test func summaryComparesWithThePeriodJustBefore() async throws {
        try await Self.withBucketWorld { world in
            let summary = world.summary(since: utc("2024-03-10T00:00:00Z"), until: utc("2024-03-17T00:00:00Z"))
            #expect(summary[.conversationsCount].map { [$0.current, $0.previous] } == [3, 2])
            #expect(summary[.avgFirstResponseTime].map { [$0.current, $0.previous] } == [0, 0])
            #expect(Set(summary.keys) == Set(ReportMetric.allCases))
            // An empty range has nothing now and nothing before.
            let empty = world.summary(since: utc("2024-03-10T00:00:00Z"), until: utc("2024-03-10T00:00:00Z"))
            #expect(empty[.conversationsCount].map { [$0.current, $0.previous] } == [0, 0])
            let none = try world.analytics.timeseries(
                account: 1, metric: .conversationsCount, scope: .account, since: 10, until: 10, grouping: .day)
            #expect(none.isEmpty)
        }
    }
}
