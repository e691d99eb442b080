import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections
import Synchronization

/// Months of chat in a data directory, written through the ledger with a
/// clock that jumps minutes to days: conversations created open, pending,
/// assigned or in a team; incoming, agent, bot, private and template
/// messages; resolves, reopens, snoozes, assignments, team and label
/// changes, CSAT. A second account's history runs alongside, to be left out.
struct ReportHistory {
    /// 2024-01-24 13:17:05 UTC, a Wednesday: the history crosses weeks, months and a leap day.
    static let start: UInt64 = 1_706_102_225

    var account: UInt64 = 1
    var agents: [UInt64] = []
    var inboxes: [UInt64] = []
    var team: UInt64 = 0
    /// The analytics projection as the ledger folded it live.
    var analytics = AnalyticsProjection()
    /// The time of the last event, seconds.
    var end: UInt64 = 0

    private final class Clock: Sendable {
        let millis = Mutex<UInt64>(ReportHistory.start * 1000 + 123)
        func advance(_ amount: UInt64) { millis.withLock { $0 += amount } }
    }

    /// Writes about `commands` commands into a new log at `data`.
    static func write(to data: String, commands: Int, seed: UInt64) async throws -> ReportHistory {
        let clock = Clock()
        var options = LogOptions()
        options.clock = { clock.millis.withLock { $0 } }
        options.pruneInterval = .seconds(10 * 365 * 24 * 3600)
        let ledger = try await CommandLedger.open(at: data, options: options)
        do {
            var history = ReportHistory()
            var random = SeededRandom(seed: seed)
            var conversations: [(account: UInt64, id: UInt64, contact: UInt64)] = []
            func run(_ account: UInt64, _ principal: Principal, _ action: Action) async throws -> [StoredEvent] {
                do {
                    return try await ledger.execute(Command(accountID: account, principal: principal, action: action)).events
                } catch is DomainError {
                    return []
                }
            }
            var teams: [UInt64: UInt64] = [:]
            var inboxes: [UInt64: [UInt64]] = [:]
            var agents: [UInt64: [UInt64]] = [:]
            var nextUser: UInt64 = 1
            for account in [UInt64(1), 2] {
                _ = try await run(Platform.accountID, .platform, .createAccount(name: "Account \(account)", locale: "en"))
                for index in 0..<3 {
                    _ = try await run(
                        Platform.accountID, .platform,
                        .createUser(name: "Agent \(nextUser)", email: "agent\(nextUser)@views.test", tokenSha256: String(repeating: "0", count: 64)))
                    _ = try await run(account, .platform, .addAccountUser(userID: nextUser, role: index == 0 ? .administrator : .agent))
                    agents[account, default: []].append(nextUser)
                    nextUser += 1
                }
                let admin = agents[account]![0]
                for _ in 0..<2 {
                    for stored in try await run(
                        account, .user(admin),
                        .createInbox(channelType: .api, inboxIdentifier: "inbox-\(account)-\(inboxes[account, default: []].count)", hmacToken: "h", settings: InboxSettings(name: "Inbox")))
                    {
                        if case .inboxCreated(let created) = stored.event.body { inboxes[account, default: []].append(created.inboxID) }
                    }
                }
                for inbox in inboxes[account]! { _ = try await run(account, .user(admin), .setInboxMembers(inboxID: inbox, userIDs: agents[account]!)) }
                for stored in try await run(account, .user(admin), .createTeam(name: "Tier 1", description: "")) {
                    if case .teamCreated(let created) = stored.event.body { teams[account] = created.teamID }
                }
                _ = try await run(account, .user(admin), .createLabel(title: "billing", description: "", color: "#ff0000"))
                _ = try await run(account, .user(admin), .createLabel(title: "vip", description: "", color: "#00ff00"))
            }
            var nextContact: [UInt64: UInt64] = [1: 1, 2: 1]
            var issued = 0
            while issued < commands {
                switch random.below(100) {
                case 0..<55: clock.advance(UInt64(60_000 + random.below(50 * 60_000)))
                case 55..<88: clock.advance(UInt64(3_600_000 + random.below(9 * 3_600_000)))
                default: clock.advance(UInt64(86_400_000 + random.below(2 * 86_400_000)))
                }
                let account: UInt64 = random.below(4) == 0 ? 2 : 1
                let staff = agents[account]!
                let agent = staff[random.below(staff.count)]
                if conversations.filter({ $0.account == account }).isEmpty || random.below(100) < 30 {
                    let contact = nextContact[account]!
                    nextContact[account] = contact + 1
                    _ = try await run(account, .user(staff[0]), .createContact(details: ContactDetails(name: "Visitor \(contact)"), inbox: nil))
                    var new = NewConversation(
                        inboxID: inboxes[account]![random.below(2)], contactID: contact, sourceID: "source-\(account)-\(contact)")
                    if random.below(4) == 0 { new.status = .pending }
                    if random.below(2) == 0 { new.assigneeID = agent }
                    if random.below(3) == 0 { new.teamID = teams[account] }
                    if random.below(5) == 0 { new.message = NewMessage(content: "hello, how can we help?") }
                    for stored in try await run(account, .user(staff[0]), .createConversation(new)) {
                        if case .conversationCreated(let created) = stored.event.body { conversations.append((account, created.conversationID, contact)) }
                    }
                    issued += 2
                    continue
                }
                let mine = conversations.filter { $0.account == account }
                let target = mine[random.below(mine.count)]
                let id = target.id
                let action: Action
                var principal = Principal.user(agent)
                switch random.below(100) {
                case 0..<25:
                    principal = .contact(target.contact)
                    action = .sendMessage(conversationID: id, message: NewMessage(content: "question"))
                case 25..<45: action = .sendMessage(conversationID: id, message: NewMessage(content: "answer"))
                case 45..<48: action = .sendMessage(conversationID: id, message: NewMessage(content: "note", isPrivate: true))
                case 48..<51:
                    principal = .system
                    action = .sendMessage(conversationID: id, message: NewMessage(content: "bot"))
                case 51..<53: action = .sendMessage(conversationID: id, message: NewMessage(content: "template", messageType: .template))
                case 53..<55: action = .sendMessage(conversationID: id, message: NewMessage(content: "typed in", messageType: .incoming))
                case 55..<67: action = .toggleStatus(conversationID: id, status: .resolved, snoozedUntil: nil)
                case 67..<73: action = .toggleStatus(conversationID: id, status: .open, snoozedUntil: nil)
                case 73..<75: action = .toggleStatus(conversationID: id, status: .snoozed, snoozedUntil: nil)
                case 75..<77: action = .toggleStatus(conversationID: id, status: .pending, snoozedUntil: nil)
                case 77..<85:
                    principal = .contact(target.contact)
                    action = .submitCSAT(conversationID: id, rating: 1 + random.below(5), feedback: "")
                case 85..<91: action = .assign(conversationID: id, assigneeID: random.below(5) == 0 ? nil : staff[random.below(staff.count)])
                case 91..<94: action = .assignTeam(conversationID: id, teamID: random.below(3) == 0 ? nil : teams[account])
                default:
                    let sets: [[String]] = [[], ["billing"], ["vip"], ["billing", "vip"], ["VIP", "urgent"]]
                    action = .setLabels(conversationID: id, labels: sets[random.below(sets.count)])
                }
                _ = try await run(account, principal, action)
                issued += 1
            }
            history.agents = agents[1]!
            history.inboxes = inboxes[1]!
            history.team = teams[1]!
            history.analytics = ledger.withProjections { $0.analytics }
            history.end = clock.millis.withLock { $0 } / 1000
            await ledger.close()
            return history
        } catch {
            await ledger.close()
            throw error
        }
    }
}

/// SplitMix64: the same history for the same seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
