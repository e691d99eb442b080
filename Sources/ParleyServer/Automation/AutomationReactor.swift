import Foundation
import Logging
import ParleyDomain
import ParleyLog
import ParleyProjections
import ServiceLifecycle

/// Tails the log and answers what needs answering (greeting, out of office,
/// FAQ, auto-assignment, notifications) with commands of the bot.
///
/// Exactly once in effect: the decider handles a trigger only when its
/// offset is past the cursor, and appends the ``AutomationReacted`` marker
/// that moves the cursor in the same atomic batch as the reaction. The tail
/// resumes after the cursor the projections folded from the log, so a crash
/// between a reaction and the next one repeats nothing; events after the
/// cursor that asked for nothing are simply looked at again.
struct AutomationReactor: Service {
    let ledger: CommandLedger
    let progress: AutomationProgress
    let configuration: ServerConfiguration
    let logger: Logger
    let metrics = AutomationMetrics()

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.tailLog() }
                group.addTask { await self.checkWaiting() }
                await group.waitForAll()
            }
        }
    }

    /// Reacts to each logged event in order until cancelled or the log closes.
    private func tailLog() async {
        let started = UInt64(Date().timeIntervalSince1970 * 1000)
        let cursor = startingCursor()
        progress.evaluated(through: cursor)
        var online = OnlineUsers()
        do {
            for try await entry in ledger.log.tail(after: cursor) {
                if AutomationTriggers.types.contains(entry.type) {
                    await react(to: entry, online: &online, started: started)
                }
                progress.evaluated(through: entry.offset)
            }
        } catch {
            if !Task.isCancelled { logger.error("automation stopped reading the log", metadata: ["error": "\(error)"]) }
        }
    }

    /// On a log that never ran the reactor (a new one, or one an older
    /// version wrote), records its head as the cursor, so old conversations
    /// are not greeted. Called before the server serves, so a new data
    /// directory's first event is always this marker.
    static func recordFirstStart(of ledger: CommandLedger) async throws {
        guard ledger.withProjections({ $0.automation.reactorCursor }) == nil else { return }
        _ = try await ledger.execute(
            Command(accountID: Platform.accountID, principal: .bot, action: .startAutomation(offset: ledger.log.head)))
    }

    /// The cursor folded from the log (``recordFirstStart(of:)`` made sure there is one).
    private func startingCursor() -> UInt64 {
        ledger.withProjections { $0.automation.reactorCursor } ?? ledger.log.head
    }

    private func react(to entry: LogEntry, online: inout OnlineUsers, started: UInt64) async {
        let stored: StoredEvent
        do {
            stored = try StoredEvent(entry)
        } catch {
            logger.error("automation cannot decode an event", metadata: ["offset": "\(entry.offset)", "error": "\(error)"])
            return
        }
        let event = stored.event
        if case .presenceChanged(let presence) = event.body, entry.timestamp >= started {
            online.set(presence.userID, online: presence.online, in: event.accountID)
        }
        guard AutomationTriggers.reacts(to: event, at: entry.timestamp, started: started) else { return }
        let reaction = Reaction(
            triggerOffset: entry.offset, triggerTime: entry.timestamp, trigger: event,
            onlineUsers: online.users(in: event.accountID), faqConfidence: configuration.faqConfidence)
        await execute(Command(accountID: event.accountID, principal: .bot, action: .react(reaction)))
    }

    /// Every few seconds, the "waiting too long" notifications that fell due.
    private func checkWaiting() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(configuration.waitingCheckInterval))
            } catch {
                return
            }
            await execute(Command(accountID: Platform.accountID, principal: .bot, action: .notifyWaiting))
        }
    }

    /// Runs a bot command and counts it; a failure is logged and the
    /// reactor goes on with the next event (a stopped ledger refuses
    /// everything until a restart).
    private func execute(_ command: Command) async {
        let name = command.action.name
        do {
            _ = try await ledger.execute(command)
            metrics.succeeded(name)
        } catch {
            metrics.failed(name)
            logger.error("automation command failed", metadata: ["action": "\(name)", "error": "\(error)"])
        }
    }
}

/// Users with a realtime connection open, per account, as the presence events of this run say.
struct OnlineUsers {
    private var accounts: [UInt64: Set<UInt64>] = [:]

    mutating func set(_ user: UInt64, online: Bool, in account: UInt64) {
        if online {
            accounts[account, default: []].insert(user)
        } else {
            accounts[account]?.remove(user)
        }
    }

    func users(in account: UInt64) -> Set<UInt64> { accounts[account] ?? [] }
}
