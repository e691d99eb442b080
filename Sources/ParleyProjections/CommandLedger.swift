import Foundation
import ParleyDomain
import ParleyLog
import Synchronization

/// Runs the chat domain on the log's writer thread: each command is decided
/// against the state every earlier command left, in log order, and its events
/// are appended in the same atomic, fsynced batch as everything the hook adds.
///
/// The domain state and the projections live in memory. A clean close
/// checkpoints them at the log's head; opening loads that checkpoint and folds
/// only the events after it (after a crash, everything since the last clean
/// close). The domain state is touched only on the
/// writer thread (deciding and staging), so it needs no lock; the projections
/// are also read by queries, behind a mutex. They are folded as each append is
/// staged, so they may show a command a moment before its fsync completes. A group write that fails stops the ledger
/// until the process reopens it, as RocksDB itself needs a reopen after an
/// I/O error: the state may hold what the failed group decided.
public final class CommandLedger: Sendable {
    public let log: EventLog
    let core: Core

    /// What lives on the writer thread.
    final class Core: AppendHook, @unchecked Sendable {
        var state = DomainState()
        /// The command being decided: its events and the payloads they were
        /// encoded to, applied once the log stages exactly those payloads.
        var decided: [(event: DomainEvent, payload: [UInt8])] = []
        let projections = Mutex(Projections())
        let failure = Mutex<String?>(nil)
        /// The newest offset folded into the projections.
        let foldedOffset = Atomic<UInt64>(0)
        /// Moves when a folded event may have taken someone's access away.
        let accessVersion = Atomic<UInt64>(0)
        /// While a rebuild runs, every event folded since it began, for it to
        /// catch up with (``CommandLedger/rebuild(_:verify:)``).
        var rebuildTail: [StoredEvent]?

        func stage(_ entries: [LogEntry], into context: inout AppendContext) throws {
            // The events just decided, unless these entries are something else
            // (an append around the ledger, or a decision the log refused).
            let stored: [StoredEvent]
            if decided.map(\.payload) == entries.map(\.payload) {
                stored = zip(entries, decided).map { StoredEvent(entry: $0, event: $1.event) }
            } else {
                stored = try entries.map { try StoredEvent($0) }
            }
            decided = []
            fold(stored)
        }

        func fold(_ stored: [StoredEvent]) {
            for event in stored { state.apply(event.event, at: event.entry.timestamp) }
            projections.withLock { projections in
                for event in stored { projections.apply(event) }
            }
            if stored.contains(where: { Self.mayRevokeAccess($0.event.body) }) { accessVersion.add(1, ordering: .releasing) }
            if let last = stored.last { foldedOffset.store(last.entry.offset, ordering: .releasing) }
            rebuildTail?.append(contentsOf: stored)
        }

        /// A member removed or their role changed, an inbox's members replaced.
        static func mayRevokeAccess(_ body: EventBody) -> Bool {
            switch body {
            case .accountUserRemoved, .accountUserUpdated, .inboxMembersChanged: true
            default: false
            }
        }

        func groupFinished(committed: Bool) {
            guard !committed else { return }
            failure.withLock { $0 = "a group write failed; reopen the log to recover" }
        }
    }

    /// Opens the log in `path` with the ledger as its hook, loads the state
    /// checkpointed at the last clean close, and folds the events after it.
    ///
    /// - Parameter checkpoint: `.ignore` folds the whole log into fresh state
    ///   and projections instead: what an offline rebuild makes, without
    ///   reading the checkpoint it replaces.
    public static func open(
        at path: String, options: LogOptions = LogOptions(), checkpoint: CheckpointUse = .load
    ) async throws -> CommandLedger {
        let core = Core()
        var options = options
        options.hook = core
        options.extraFamilies.append(LedgerCheckpoint.family)
        let log = try await EventLog.open(at: path, options: options)
        var folded = 0
        do {
            var after: UInt64 = 0
            if checkpoint == .load,
                let stored = try await log.value(family: LedgerCheckpoint.family, key: LedgerCheckpoint.key),
                let checkpoint = LedgerCheckpoint.decode(stored), checkpoint.offset <= log.head
            {
                core.state = checkpoint.state
                core.projections.withLock { $0 = checkpoint.projections }
                core.foldedOffset.store(checkpoint.offset, ordering: .releasing)
                after = checkpoint.offset
            }
            folded = try await LogFold.forEachPage(log, after: after, through: nil) { events in core.fold(events) }
            // Ephemeral entries after the last durable one were read too.
            core.foldedOffset.store(max(core.foldedOffset.load(ordering: .acquiring), log.head), ordering: .releasing)
        } catch {
            await log.close()
            throw error
        }
        return CommandLedger(log: log, core: core, eventsFoldedAtOpen: folded)
    }

    /// Whether ``open(at:options:checkpoint:)`` starts from the checkpoint.
    public enum CheckpointUse: Sendable {
        case load
        case ignore
    }

    /// Entries read when the ledger opened: those after its checkpoint
    /// (ephemeral ones are read and skipped).
    public let eventsFoldedAtOpen: Int

    private init(log: EventLog, core: Core, eventsFoldedAtOpen: Int) {
        self.log = log
        self.core = core
        self.eventsFoldedAtOpen = eventsFoldedAtOpen
    }

    /// Decides and appends `command`.
    ///
    /// - Parameters:
    ///   - idempotencyKey: Makes a retry safe: a command whose key was used
    ///     before (in the same account) returns the original events and appends nothing.
    /// - Returns: The events as stored, after the fsync; empty when the command changed nothing.
    /// - Throws: ``DomainError`` when the command is refused (nothing is appended),
    ///   ``LogError`` when storage fails, ``LedgerError`` after a failed group write.
    public func execute(_ command: Command, idempotencyKey: String? = nil) async throws -> CommandOutcome {
        let core = self.core
        let events = DecidedEvents()
        let key = idempotencyKey.map { Self.scopedKey($0, for: command) }
        let decided = try await log.append(deciding: { context in
            if let failure = core.failure.withLock({ $0 }) { throw LedgerError.stopped(failure) }
            if let key, let original = try context.originalAppend(account: command.accountID, key: key) {
                return .alreadyAppended(original)
            }
            core.decided = []
            let decidedEvents = try Decider.decide(command, state: core.state, now: context.timestamp)
            guard !decidedEvents.isEmpty else { return .nothing }
            // Typing is harmless to repeat and pruned within a day: it keeps no key.
            let keyed = decidedEvents.contains { !$0.ephemeral }
            let entries = try decidedEvents.enumerated().map { index, event in
                NewEntry(
                    type: event.type, accountID: event.accountID, streams: event.streams,
                    retention: event.ephemeral ? .ephemeral : .durable,
                    idempotencyKey: index == 0 && keyed ? key : nil, idempotencyScope: command.accountID,
                    payload: try EventCodec.encode(event))
            }
            core.decided = zip(decidedEvents, entries).map { ($0, $1.payload) }
            events.events = decidedEvents
            return .append(entries)
        })
        // The events just decided need no decoding; a retry's originals do.
        if !decided.deduplicated, events.events.map(\.type) == decided.entries.map(\.type) {
            return CommandOutcome(
                events: zip(decided.entries, events.events).map { StoredEvent(entry: $0, event: $1) }, deduplicated: false)
        }
        return CommandOutcome(events: try decided.entries.map { try StoredEvent($0) }, deduplicated: decided.deduplicated)
    }

    /// Finishes the commands already sent, checkpoints the state and the
    /// projections at the log's head (unless `checkpoint` is false: a tool
    /// that only looked leaves the directory as it found it), and closes the log.
    public func close(checkpoint: Bool = true) async {
        let core = self.core
        let log = self.log
        guard checkpoint else { return await log.close() }
        await log.close(finalWrites: {
            guard core.failure.withLock({ $0 }) == nil else { return [] }
            let checkpoint = LedgerCheckpoint(
                offset: log.head, state: core.state, projections: core.projections.withLock { $0 })
            return [StoredValue(family: LedgerCheckpoint.family, key: LedgerCheckpoint.key, value: try checkpoint.encoded())]
        })
    }

    /// A client's key, scoped by who sends the command and what it is, so
    /// one caller's key never returns another's result.
    static func scopedKey(_ key: String, for command: Command) -> String {
        let principal: String
        switch command.principal {
        case .platform: principal = "p"
        case .system: principal = "s"
        case .bot: principal = "b"
        case .user(let id): principal = "u\(id)"
        case .contact(let id): principal = "c\(id)"
        }
        return "\(principal):\(command.action.name):\(key)"
    }

    /// The newest offset folded into the projections; the log's head minus
    /// this is the projections' lag.
    public var foldedOffset: UInt64 { core.foldedOffset.load(ordering: .acquiring) }

    /// Moves whenever a folded event may have taken access away (a member
    /// removed or their role changed, an inbox's members replaced). It moves
    /// when the event is folded, before its fsync, so anything appended after
    /// it is read by subscribers only after it has moved.
    public var accessVersion: UInt64 { core.accessVersion.load(ordering: .acquiring) }

    /// Why the ledger stopped taking commands, or nil while it takes them.
    public var stoppedReason: String? { core.failure.withLock { $0 } }

    /// Reads the projections (folded live, as commands are staged).
    public func withProjections<T, E: Error>(_ body: (borrowing Projections) throws(E) -> T) throws(E) -> T {
        try core.projections.withLock { projections throws(E) in try body(projections) }
    }

    /// Folds every stored event into empty projections: what a rebuild from
    /// the log gives, to compare with the live ones.
    public func rebuildProjections() async throws -> Projections {
        var projections = Projections()
        _ = try await LogFold.fold(log, through: nil, into: &projections, only: Set(ProjectionName.allCases))
        return projections
    }
}

/// The events one command decided, handed from the writer thread back to
/// its caller (written before the append is answered, read after).
private final class DecidedEvents: @unchecked Sendable {
    var events: [DomainEvent] = []
}

/// What a command did.
public struct CommandOutcome: Sendable, Hashable {
    /// Its events as stored (the originals for a retried command).
    public var events: [StoredEvent]
    /// True when the command was a retry and appended nothing.
    public var deduplicated: Bool
}

public enum LedgerError: Error, Hashable, CustomStringConvertible {
    /// The ledger stopped after a failed write; reopen to recover.
    case stopped(String)
    /// A rebuild of the projections is running; one runs at a time.
    case rebuildRunning

    public var code: String {
        switch self {
        case .stopped: "unavailable"
        case .rebuildRunning: "conflict"
        }
    }

    public var description: String {
        switch self {
        case .stopped(let reason): "the ledger stopped: \(reason)"
        case .rebuildRunning: "a rebuild of the projections is already running"
        }
    }
}
