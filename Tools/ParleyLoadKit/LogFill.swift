import ParleyDomain
import ParleyLog
import ParleyProjections
import Synchronization

/// Fills a data directory with a realistic chat history of exactly `events`
/// events, straight through the ``CommandLedger`` (no HTTP): accounts with
/// agents, inboxes, a team, labels, canned responses, webhooks and audit
/// entries; then conversations, each a contact writing in, an assignment,
/// an exchange of messages with typing and read markers, labels or a
/// priority, and a resolve. Many conversations run at once, so the log group
/// commits their commands as a busy server would.
///
/// A conversation holds at most ``FillScript/maxMessages`` messages, far
/// below the 200 a minute one conversation may take, so the rate limit never
/// refuses one however fast the fill runs.
public struct LogFill: Sendable {
    public struct Report: Codable, Sendable {
        public var events: Int
        public var eventsPerSecond: Double
        public var accounts: Int
        public var conversations: Int
        public var seconds: Double

        enum CodingKeys: String, CodingKey {
            case events, accounts, conversations, seconds
            case eventsPerSecond = "events_per_s"
        }
    }

    public var events: Int
    /// Conversations in progress at once.
    public var workers: Int

    public init(events: Int, workers: Int = 64) {
        self.events = events
        self.workers = workers
    }

    /// Accounts: one per 100,000 events, from 1 to 20.
    var accountCount: Int { min(20, max(1, events / 100_000)) }

    public func run(on ledger: CommandLedger) async throws -> Report {
        let clock = ContinuousClock()
        let started = clock.now
        let counter = FillCounter(start: ledger.log.head)
        let target = counter.start + UInt64(events)
        var accounts: [FillAccount] = []
        for _ in 0..<accountCount {
            accounts.append(try await FillAccount.create(on: ledger, counter: counter))
        }
        // Each command in flight adds at most this many events: stop early
        // enough that the top-up can land exactly on the target.
        let stopAt = target > UInt64(workers * FillScript.maxEventsPerCommand)
            ? target - UInt64(workers * FillScript.maxEventsPerCommand) : 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask { [accounts] in
                    var n = worker
                    while counter.appended < stopAt {
                        let script = FillScript(account: accounts[n % accounts.count], n: n, counter: counter, stopAt: stopAt)
                        try await script.run(on: ledger)
                        counter.conversations.add(1, ordering: .relaxed)
                        n += workers
                    }
                }
            }
            try await group.waitForAll()
        }
        // Exactly the events still missing, as one-event audit entries, all at once.
        let missing = Int(target - min(target, counter.appended))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<missing {
                let account = accounts[index % accounts.count].id
                group.addTask {
                    try await counter.execute(
                        ledger, account, .system,
                        .recordAudit(
                            action: "api_access", targetType: "Account", targetID: account,
                            ipAddress: "10.0.\(index / 256 % 256).\(index % 256)", details: [:]))
                }
            }
            try await group.waitForAll()
        }
        let seconds = (clock.now - started).seconds
        let appended = Int(counter.appended - counter.start)
        return Report(
            events: appended, eventsPerSecond: (Double(appended) / seconds).rounded(), accounts: accounts.count,
            conversations: counter.conversations.load(ordering: .relaxed), seconds: (seconds * 1000).rounded() / 1000)
    }
}

/// The log's head as the fill's commands move it, and the conversations run.
final class FillCounter: Sendable {
    let start: UInt64
    private let head: Atomic<UInt64>
    let conversations = Atomic<Int>(0)

    init(start: UInt64) {
        self.start = start
        head = Atomic(start)
    }

    var appended: UInt64 { head.load(ordering: .acquiring) }

    /// Executes one command, checks it added no more events than the fill allows for, and counts them.
    @discardableResult
    func execute(_ ledger: CommandLedger, _ account: UInt64, _ principal: Principal, _ action: Action) async throws
        -> [StoredEvent]
    {
        let outcome = try await ledger.execute(Command(accountID: account, principal: principal, action: action))
        guard outcome.events.count <= FillScript.maxEventsPerCommand else {
            throw HarnessError.childFailed("\(action) made \(outcome.events.count) events")
        }
        head.wrappingAdd(UInt64(outcome.events.count), ordering: .releasing)
        return outcome.events
    }
}
