import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections
import Synchronization

/// A clock the test moves by hand (milliseconds since 1970), for `LogOptions.clock`.
final class AnalyticsClock: Sendable {
    private let now: Mutex<UInt64>

    init(millis: UInt64) {
        now = Mutex(millis)
    }

    var millis: UInt64 { now.withLock { $0 } }

    func advance(millis: UInt64) {
        now.withLock { $0 += millis }
    }

    func advance(seconds: UInt64) {
        advance(millis: seconds * 1000)
    }

    /// Moves to `seconds` since 1970 (never backwards in these tests).
    func set(seconds: UInt64) {
        now.withLock { $0 = seconds * 1000 }
    }

    var reader: @Sendable () -> UInt64 { { [self] in millis } }
}

/// A ledger in a fresh directory whose log takes its time from `clock`.
func withClockedLedger<T>(_ clock: AnalyticsClock, _ body: (CommandLedger) async throws -> T) async throws -> T {
    try await withDirectory { path in
        var options = LogOptions()
        options.readThreads = 2
        options.blockCacheBytes = 4 << 20
        options.pruneInterval = .seconds(10 * 365 * 24 * 3600)
        options.clock = clock.reader
        let ledger = try await CommandLedger.open(at: path, options: options)
        do {
            let result = try await body(ledger)
            try await expectSchemaConformance(ledger)
            await ledger.close()
            return result
        } catch {
            await ledger.close()
            throw error
        }
    }
}

/// Every stored event of the ledger's log, in log order.
func storedEvents(_ ledger: CommandLedger) async throws -> [StoredEvent] {
    let decoder = EventCodec.decoder()
    var result: [StoredEvent] = []
    var after: UInt64 = 0
    while true {
        let page = try await ledger.log.read(after: after, limit: 1000)
        guard let last = page.last else { return result }
        result += try page.map { try StoredEvent($0, decoder: decoder) }
        after = last.offset
    }
}

/// `CommandGenerator` with more of what reports measure mixed in: resolves,
/// reopens, snoozes, CSAT, bot and template replies, private notes, team and
/// label changes, and conversations created pending, assigned or in a team.
struct AnalyticsCommandMix {
    var base: CommandGenerator
    private var random: SplitMix
    /// Each account's team, learnt from the setup's events.
    var teams: [UInt64: UInt64] = [:]

    init(seed: UInt64) {
        base = CommandGenerator(seed: seed)
        random = SplitMix(seed: seed ^ 0xA11A_17C5)
    }

    mutating func below(_ bound: Int) -> Int { random.below(bound) }

    /// A new conversation: the generator's, half of the time changed to start
    /// pending, assigned, in a team, or with the agent's first message.
    mutating func newConversation(nextContact: UInt64) -> (account: UInt64, commands: [Command]) {
        var (account, commands) = base.newConversation(nextContact: nextContact)
        guard random.below(2) == 0, commands.count == 2, case .createConversation(var new) = commands[1].action,
            let info = base.accounts.first(where: { $0.id == account })
        else { return (account, commands) }
        if random.below(3) == 0 { new.status = .pending }
        if random.below(2) == 0 { new.assigneeID = info.agents[random.below(info.agents.count)] }
        if random.below(3) == 0, let team = teams[account] { new.teamID = team }
        if random.below(4) == 0 { new.message = NewMessage(content: "hello, how can we help?") }
        commands[1].action = .createConversation(new)
        return (account, commands)
    }

    /// One command on an existing conversation.
    mutating func next() -> Command? {
        if random.below(100) < 55 { return base.next() }
        let candidates = base.accounts.filter { !$0.conversations.isEmpty }
        guard !candidates.isEmpty else { return nil }
        let account = candidates[random.below(candidates.count)]
        let slot = random.below(account.conversations.count)
        let conversation = account.conversations[slot]
        let contact = account.contacts[slot]
        let agent = account.agents[random.below(account.agents.count)]
        func command(_ principal: Principal, _ action: Action) -> Command {
            Command(accountID: account.id, principal: principal, action: action)
        }
        func message(_ principal: Principal, _ new: NewMessage) -> Command {
            command(principal, .sendMessage(conversationID: conversation, message: new))
        }
        switch random.below(100) {
        case 0..<18:
            return message(.contact(contact), NewMessage(content: "still there? \(random.below(100))"))
        case 18..<34:
            return message(.user(agent), NewMessage(content: "reply \(random.below(100))"))
        case 34..<38:
            return message(.user(agent), NewMessage(content: "note", isPrivate: true))
        case 38..<42:
            return message(.system, NewMessage(content: "bot says hi"))
        case 42..<44:
            return message(.user(agent), NewMessage(content: "template", messageType: .template))
        case 44..<46:
            return message(.user(agent), NewMessage(content: "typed in for the contact", messageType: .incoming))
        case 46..<60:
            return command(.user(agent), .toggleStatus(conversationID: conversation, status: .resolved, snoozedUntil: nil))
        case 60..<66:
            return command(.user(agent), .toggleStatus(conversationID: conversation, status: .open, snoozedUntil: nil))
        case 66..<69:
            return command(.user(agent), .toggleStatus(conversationID: conversation, status: .snoozed, snoozedUntil: nil))
        case 69..<72:
            return command(.user(agent), .toggleStatus(conversationID: conversation, status: .pending, snoozedUntil: nil))
        case 72..<73:
            return command(.contact(contact), .toggleStatus(conversationID: conversation, status: .resolved, snoozedUntil: nil))
        case 73..<83:
            return command(.contact(contact), .submitCSAT(conversationID: conversation, rating: 1 + random.below(5), feedback: ""))
        case 83..<90:
            let assignee = random.below(5) == 0 ? nil : account.agents[random.below(account.agents.count)]
            return command(.user(agent), .assign(conversationID: conversation, assigneeID: assignee))
        case 90..<94:
            let team = random.below(3) == 0 ? nil : teams[account.id]
            return command(.user(agent), .assignTeam(conversationID: conversation, teamID: team))
        default:
            let sets: [[String]] = [[], ["billing"], ["vip"], ["billing", "vip"], ["VIP", "urgent"]]
            return command(.user(agent), .setLabels(conversationID: conversation, labels: sets[random.below(sets.count)]))
        }
    }
}
