import ParleyDomain
import ParleyLog
import ParleyProjections

/// Chat commands through the ledger (decided on the writer thread, projections
/// folded, durable before the answer) from concurrent callers, in a live
/// chat's mix: 70% messages, 20% typing, 10% read markers, assignments and
/// status changes.
public struct DomainBenchmark: Sendable {
    public struct Report: Codable, Sendable {
        public var callers: Int
        public var commands: Int
        public var commandsPerSecond: Double
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var refused: Int

        enum CodingKeys: String, CodingKey {
            case callers, commands, refused
            case commandsPerSecond = "commands_per_s"
            case p50Milliseconds = "p50_ms"
            case p99Milliseconds = "p99_ms"
        }
    }

    public var callers: Int
    public var commands: Int
    /// Conversations the callers talk in (each with its own contact).
    public var conversations: Int

    public init(callers: Int, commands: Int, conversations: Int = 1000) {
        self.callers = callers
        self.commands = commands
        self.conversations = conversations
    }

    static let agents: [UInt64] = Array(1...10)

    /// One account, ten agents in one inbox, and a conversation per contact (untimed).
    public func seed(_ ledger: CommandLedger) async throws {
        func run(_ principal: Principal, _ account: UInt64, _ action: Action) async throws {
            _ = try await ledger.execute(Command(accountID: account, principal: principal, action: action))
        }
        try await run(.platform, Platform.accountID, .createAccount(name: "Load", locale: "en"))
        for agent in Self.agents {
            try await run(
                .platform, Platform.accountID,
                .createUser(name: "Agent \(agent)", email: "agent\(agent)@load.test", tokenSha256: String(repeating: "0", count: 64)))
            try await run(.platform, 1, .addAccountUser(userID: agent, role: agent == 1 ? .administrator : .agent))
        }
        try await run(.user(1), 1, .createInbox(channelType: .api, inboxIdentifier: "load", hmacToken: "load", settings: InboxSettings(name: "Load")))
        try await run(.user(1), 1, .setInboxMembers(inboxID: 1, userIDs: Self.agents))
        // In order, so contact c has conversation c.
        for contact in 1...conversations {
            try await run(.user(1), 1, .createContact(details: ContactDetails(name: "Visitor \(contact)"), inbox: nil))
            try await run(
                .user(1), 1, .createConversation(NewConversation(inboxID: 1, contactID: UInt64(contact), sourceID: "visitor-\(contact)")))
        }
    }

    /// The `n`th command of a caller. Conversation `c` belongs to contact `c`
    /// (created in that order); agents rotate.
    func command(caller: Int, n: Int) -> Command {
        let conversation = UInt64((caller * 7919 + n * 31) % conversations + 1)
        let agent = Self.agents[(caller + n) % Self.agents.count]
        let roll = (caller * 13 + n * 17) % 100
        let action: Action
        let principal: Principal
        switch roll {
        case 0..<35:
            principal = .contact(conversation)
            action = .sendMessage(conversationID: conversation, message: NewMessage(content: "Hello, I need help with order \(n)"))
        case 35..<70:
            principal = .user(agent)
            action = .sendMessage(conversationID: conversation, message: NewMessage(content: "Happy to help with that, one moment"))
        case 70..<90:
            principal = n % 2 == 0 ? .user(agent) : .contact(conversation)
            action = .typing(conversationID: conversation, on: true, isPrivate: false)
        case 90..<96:
            principal = .user(agent)
            action = .markRead(conversationID: conversation)
        case 96..<98:
            principal = .user(agent)
            action = .assign(conversationID: conversation, assigneeID: agent)
        default:
            principal = .user(agent)
            action = .toggleStatus(conversationID: conversation, status: n % 4 == 0 ? .open : .pending, snoozedUntil: nil)
        }
        return Command(accountID: 1, principal: principal, action: action)
    }

    public func run(on ledger: CommandLedger) async throws -> Report {
        let perCaller = commands / callers
        let clock = ContinuousClock()
        let started = clock.now
        let (latencies, refused) = try await withThrowingTaskGroup(of: (Latencies, Int).self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var latencies = Latencies()
                    var refused = 0
                    for n in 0..<perCaller {
                        let sent = clock.now
                        do {
                            _ = try await ledger.execute(command(caller: caller, n: n))
                        } catch is DomainError {
                            refused += 1
                        }
                        latencies.record(clock.now - sent)
                    }
                    return (latencies, refused)
                }
            }
            var all = Latencies()
            var refused = 0
            for try await (latencies, count) in group {
                all.merge(latencies)
                refused += count
            }
            return (all, refused)
        }
        let elapsed = clock.now - started
        let total = perCaller * callers
        return Report(
            callers: callers, commands: total, commandsPerSecond: (Double(total) / elapsed.seconds).rounded(),
            p50Milliseconds: latencies.percentileMilliseconds(0.50), p99Milliseconds: latencies.percentileMilliseconds(0.99),
            refused: refused)
    }
}
