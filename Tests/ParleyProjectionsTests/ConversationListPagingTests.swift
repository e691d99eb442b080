import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections
import Synchronization
import Testing

/// Lists page exactly as filtering every conversation and sorting them all
/// would: deep pages, ties on every sort key, agents' inbox visibility, and
/// another account's conversations never mixed in.
@Suite struct ConversationListPagingTests {
    /// A log clock on which several groups in a row share a millisecond, so
    /// activity and creation times tie.
    final class TiedClock: Sendable {
        let ticks = Atomic<UInt64>(0)
        let groupsPerMillisecond: UInt64

        init(groupsPerMillisecond: UInt64) { self.groupsPerMillisecond = groupsPerMillisecond }

        func now() -> UInt64 { 1_700_000_000_000 + ticks.add(1, ordering: .relaxed).newValue / groupsPerMillisecond }
    }

    static func withTiedLedger(groupsPerMillisecond: UInt64, _ body: (CommandLedger) async throws -> Void) async throws {
        try await withDirectory { path in
            let clock = TiedClock(groupsPerMillisecond: groupsPerMillisecond)
            var options = LogOptions()
            options.readThreads = 2
            options.blockCacheBytes = 4 << 20
            options.clock = { clock.now() }
            let ledger = try await CommandLedger.open(at: path, options: options)
            do {
                try await body(ledger)
                await ledger.close()
            } catch {
                await ledger.close()
                throw error
            }
        }
    }

    static func run(_ ledger: CommandLedger, _ account: UInt64, _ principal: Principal, _ action: Action) async throws {
        _ = try await ledger.execute(Command(accountID: account, principal: principal, action: action))
    }

    /// Account 1 as `ConversationListTests.seedMany` leaves it with 90
    /// conversations in inbox 1, plus inbox 2 (agent 2 is not in it) with
    /// conversations 91...120, a team, and a mix of statuses, assignees,
    /// priorities, labels and messages; account 2 with conversations of its own.
    static func seedMix(_ ledger: CommandLedger) async throws {
        try await seedAccount(ledger)
        try await ConversationListTests.seedMany(ledger, count: 90)
        try await run(
            ledger, 1, .user(1),
            .createInbox(channelType: .api, inboxIdentifier: "inbox-two", hmacToken: "secret", settings: InboxSettings(name: "Sales")))
        try await run(ledger, 1, .user(1), .setInboxMembers(inboxID: 2, userIDs: [1]))
        try await run(ledger, 1, .user(1), .createTeam(name: "Billing", description: ""))
        for index in 91...120 {
            try await run(ledger, 1, .user(1), .createContact(details: ContactDetails(name: "Person \(index)", email: "p\(index)@mail.test"), inbox: nil))
            try await run(
                ledger, 1, .user(1), .createConversation(NewConversation(inboxID: 2, contactID: UInt64(index), sourceID: "s\(index)")))
        }
        for id in 1...UInt64(120) {
            switch id % 7 {
            case 0: try await run(ledger, 1, .user(1), .toggleStatus(conversationID: id, status: .pending, snoozedUntil: nil))
            case 1: try await run(ledger, 1, .user(1), .toggleStatus(conversationID: id, status: .resolved, snoozedUntil: nil))
            default: break
            }
            if id % 3 == 0 { try await run(ledger, 1, .user(1), .assign(conversationID: id, assigneeID: id % 2 == 0 || id > 90 ? 1 : 2)) }
            if id % 4 == 0 { try await run(ledger, 1, .user(1), .setPriority(conversationID: id, priority: [.urgent, .high, .low][Int(id / 4 % 3)])) }
            if id % 5 == 0 { try await run(ledger, 1, .user(1), .setLabels(conversationID: id, labels: id % 10 == 0 ? ["billing", "vip"] : ["billing"])) }
            if id % 6 == 0 { try await run(ledger, 1, .user(1), .assignTeam(conversationID: id, teamID: 1)) }
            if id % 2 == 0 {
                try await run(ledger, 1, .contact(id), .sendMessage(conversationID: id, message: NewMessage(content: "hello \(id)")))
            }
            if id % 8 == 0 {
                try await run(ledger, 1, .user(1), .sendMessage(conversationID: id, message: NewMessage(content: "on it")))
            }
        }
        try await run(ledger, Platform.accountID, .platform, .createAccount(name: "Other", locale: "en"))
        try await run(ledger, 2, .platform, .addAccountUser(userID: 1, role: .administrator))
        let otherInbox = try await ledger.execute(
            Command(
                accountID: 2, principal: .user(1),
                action: .createInbox(channelType: .api, inboxIdentifier: "other-inbox", hmacToken: "secret", settings: InboxSettings(name: "Other"))))
        guard case .inboxCreated(let inbox)? = otherInbox.events.first?.event.body else { throw LedgerError.stopped("no inbox created") }
        for index in 1...30 {
            let contact = try await ledger.execute(
                Command(accountID: 2, principal: .user(1), action: .createContact(details: ContactDetails(name: "Person \(index)"), inbox: nil)))
            guard case .contactCreated(let created)? = contact.events.first?.event.body else { throw LedgerError.stopped("no contact created") }
            try await run(
                ledger, 2, .user(1), .createConversation(NewConversation(inboxID: inbox.inboxID, contactID: created.contactID, sourceID: "o\(index)")))
        }
    }

    /// A page's counts and conversations, to compare.
    struct Listed: Equatable {
        var mine, assigned, unassigned, all: Int
        var conversations: [ConversationView]

        init(mine: Int, assigned: Int, unassigned: Int, all: Int, conversations: [ConversationView]) {
            (self.mine, self.assigned, self.unassigned, self.all, self.conversations) = (mine, assigned, unassigned, all, conversations)
        }

        init(_ page: ConversationPage) {
            self.init(
                mine: page.mineCount, assigned: page.assignedCount, unassigned: page.unassignedCount, all: page.allCount,
                conversations: page.conversations)
        }
    }

    /// The list as its definition reads: every visible match filtered, all
    /// sorted, then cut into pages of 25.
    static func reference(_ projections: borrowing Projections, user: UInt64, query: ConversationQuery) -> Listed {
        let conversations = projections.conversations
        let views = (1...UInt64(130)).compactMap { conversations.conversation(account: 1, id: $0) }
        let text = query.text?.lowercased().trimmingCharacters(in: .whitespaces)
        let candidates = views.filter { view in
            guard conversations.userMaySee(user, inbox: view.inboxID, account: 1) else { return false }
            if case .only(let status) = query.status, view.status != status { return false }
            if let inbox = query.inboxID, view.inboxID != inbox { return false }
            if let team = query.teamID, view.teamID != team { return false }
            if !query.labels.allSatisfy({ view.labels.contains($0.lowercased()) }) { return false }
            if let text, !text.isEmpty {
                let contact = view.contactID == 1 ? "visitor" : "person \(view.contactID) p\(view.contactID)@mail.test"
                return String(view.id) == text || contact.contains(text)
            }
            return true
        }
        let selected = candidates.filter { view in
            switch query.assigneeType {
            case .me: view.assigneeID == user
            case .assigned: view.assigneeID != nil
            case .unassigned: view.assigneeID == nil
            case .all: true
            }
        }
        let sorted = selected.sorted { left, right in
            switch query.sort {
            case .lastActivity: (left.lastActivityAt, left.id) > (right.lastActivityAt, right.id)
            case .createdAt: (left.createdAt, left.id) > (right.createdAt, right.id)
            case .priority:
                (left.priority?.rank ?? 0, left.lastActivityAt, left.id) > (right.priority?.rank ?? 0, right.lastActivityAt, right.id)
            case .waitingSince:
                (left.waitingSince ?? .max) != (right.waitingSince ?? .max)
                    ? (left.waitingSince ?? .max) < (right.waitingSince ?? .max) : left.id > right.id
            }
        }
        let start = min(query.page > 1 ? query.page - 1 : 0, sorted.count / 25 + 1) * 25
        return Listed(
            mine: candidates.count(where: { $0.assigneeID == user }), assigned: candidates.count(where: { $0.assigneeID != nil }),
            unassigned: candidates.count(where: { $0.assigneeID == nil }), all: candidates.count,
            conversations: start < sorted.count ? Array(sorted[start..<min(sorted.count, start + 25)]) : [])
    }

    @Test func everyPageOfEveryFilterAndSortMatchesTheDefinition() async throws {
        try await Self.withTiedLedger(groupsPerMillisecond: 4) { ledger in
            try await Self.seedMix(ledger)
            var filters: [(inout ConversationQuery) -> Void] = [
                { _ in }, { $0.inboxID = 2 }, { $0.teamID = 1 }, { $0.labels = ["Billing"] }, { $0.labels = ["billing", "vip"] },
                { $0.text = "p1" }, { $0.text = " 12 " }, { $0.text = "" },
            ]
            for type in ConversationQuery.AssigneeType.allCases { filters.append { $0.assigneeType = type } }
            let statuses: [ConversationQuery.StatusFilter] = [.only(.open), .only(.pending), .only(.resolved), .only(.snoozed), .all]
            var compared = 0
            var nonEmptyDeepPages = 0
            for user in [1, 2, 3] as [UInt64] {
                for status in statuses {
                    for sort in ConversationQuery.Sort.allCases {
                        for filter in filters {
                            for page in [-1, 0, 1, 2, 3, 4, 5, 6, Int.max] {
                                var query = ConversationQuery()
                                query.status = status
                                query.sort = sort
                                query.page = page
                                filter(&query)
                                let (listed, expected) = ledger.withProjections {
                                    (Listed($0.conversations.list(account: 1, user: user, query: query)), Self.reference($0, user: user, query: query))
                                }
                                #expect(listed == expected, "user \(user), \(query)")
                                compared += 1
                                if page >= 3 && !listed.conversations.isEmpty { nonEmptyDeepPages += 1 }
                            }
                        }
                    }
                }
            }
            #expect(compared == 3 * 5 * 4 * 12 * 9)
            #expect(nonEmptyDeepPages > 0)
        }
    }

    @Test func tiedTimesPageByNewestIdWithoutGapsOrOverlaps() async throws {
        // One millisecond for everything: every time ties, and the id decides.
        try await Self.withTiedLedger(groupsPerMillisecond: 1_000_000) { ledger in
            try await seedAccount(ledger)
            try await ConversationListTests.seedMany(ledger, count: 110)
            for sort in ConversationQuery.Sort.allCases {
                var pages: [[UInt64]] = []
                for page in 1...6 {
                    pages.append(ConversationListTests.list(ledger, as: 1) { $0.sort = sort; $0.page = page }.conversations.map(\.id))
                }
                #expect(pages[0] == Array((86...110).reversed()), "\(sort)")
                #expect(pages[3] == Array((11...35).reversed()), "\(sort)")
                #expect(pages[4] == Array((1...10).reversed()), "\(sort)")
                #expect(pages[5].isEmpty, "\(sort)")
                #expect(pages.flatMap { $0 } == Array((1...110).reversed()), "\(sort)")
            }
        }
    }

    @Test func deepPagesOfAnAgentSkipInboxesTheyAreNotIn() async throws {
        try await Self.withTiedLedger(groupsPerMillisecond: 4) { ledger in
            try await Self.seedMix(ledger)
            var all = ConversationQuery()
            all.status = .all
            for page in 1...5 {
                all.page = page
                let agentPage = ledger.withProjections { $0.conversations.list(account: 1, user: 2, query: all) }
                #expect(agentPage.allCount == 90)
                #expect(agentPage.conversations.allSatisfy { $0.inboxID == 1 && $0.accountID == 1 })
                #expect(agentPage.conversations.count == (page <= 3 ? 25 : page == 4 ? 15 : 0))
            }
        }
    }

    @Test func aReopenedLedgerListsTheSame() async throws {
        try await withDirectory { path in
            var query = ConversationQuery()
            query.status = .all
            query.page = 2
            let before = try await withLedger(at: path) { ledger in
                try await Self.seedMix(ledger)
                return ledger.withProjections { $0.conversations.list(account: 1, user: 2, query: query) }
            }
            let after = try await withLedger(at: path) { ledger in
                ledger.withProjections { $0.conversations.list(account: 1, user: 2, query: query) }
            }
            #expect(before.conversations.count == 25)
            #expect(after == before)
        }
    }
}
