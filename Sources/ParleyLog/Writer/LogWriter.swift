import CRocksDB
import Foundation
import Synchronization

/// The single owner of appends.
///
/// A dedicated thread (never Swift's cooperative pool: RocksDB calls block)
/// takes every append waiting at that moment, checks each against current
/// state, assigns offsets and stream sequences, lets the hook add its writes,
/// and commits the whole group in one `WriteBatch`. It does not wait for the
/// disk: the ``LogSyncer`` fsyncs while the writer builds the next group, and
/// only after that are callers answered and tails fed. The exception is a
/// lone append with nothing queued behind it and no fsync under way: nothing
/// to overlap, so the writer writes it with `sync` and answers it itself. Between groups the
/// writer prunes expired ephemeral entries and idempotency keys, and runs
/// the jobs of tasks that prefer its thread as their executor.
final class LogWriter: @unchecked Sendable {
    // MARK: Shared with callers, guarded by `condition`

    private let thread = StoppableThread()
    private var condition: NSCondition { thread.condition }
    private var queue: [PendingAppend] = []
    private var pruneWaiters: [CheckedContinuation<PruneReport, any Error>] = []
    private var failingWrites = 0
    /// Appends queued and not yet taken, readable without the lock while spinning.
    private let queued = Atomic<Int>(0)
    /// Jobs of tasks that prefer this thread as their executor, run between groups.
    private var jobs: [UnownedJob] = []
    /// Jobs queued, readable without the lock while spinning.
    private let jobsQueued = Atomic<Int>(0)
    /// Set when the thread has exited: later jobs go to the global executor.
    private var exited = false

    // MARK: Writer thread only

    let database: RocksDatabase
    let families: LogFamilies
    let syncer: LogSyncer
    let options: LogOptions
    private let metrics: LogMetrics
    private(set) var lastOffset: UInt64
    private var lastTimestamp: UInt64
    /// Stream heads read so far; the writer is the only one that moves them.
    private var heads: [String: UInt64] = [:]
    private var nextPruneAt: UInt64
    /// Whether the last turn committed a group of one: a lone appender,
    /// worth polling for.
    private var pollNext = true
    /// The writer thread, once it runs (`pthread_t`, an integer on Linux).
    private let threadID = Atomic<UInt>(0)
    /// The batch every group is built in, emptied after each group: a new
    /// one would grow its buffer again from nothing each time.
    private var groupBatch = WriteBatch()
    /// A batch that held more than this, or took anything back, is replaced
    /// rather than emptied, so the writer does not keep a large buffer.
    private static let keptBatchBytes = 4 << 20

    init(database: RocksDatabase, families: LogFamilies, syncer: LogSyncer, options: LogOptions,
         metrics: LogMetrics, lastOffset: UInt64, lastTimestamp: UInt64) {
        self.database = database
        self.families = families
        self.syncer = syncer
        self.options = options
        self.metrics = metrics
        self.lastOffset = lastOffset
        self.lastTimestamp = lastTimestamp
        self.nextPruneAt = options.clock().saturatingAdd(options.pruneInterval.milliseconds)
    }

    func start() {
        thread.start(name: "parley-writer") { [self] in run() }
    }

    /// Queues an append; false once the writer is stopping.
    func submit(_ append: PendingAppend) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !thread.stopping else { return false }
        queue.append(append)
        queued.add(1, ordering: .relaxed)
        condition.signal()
        return true
    }

    /// Appends queued and not yet taken into a group.
    var queuedAppends: Int { queued.load(ordering: .relaxed) }

    /// Whether the caller runs on the writer thread.
    var isCurrentThread: Bool {
        let id = threadID.load(ordering: .relaxed)
        return id != 0 && pthread_equal(pthread_t(id), pthread_self()) != 0
    }

    /// Runs a full pruning pass on the writer thread now.
    func prune() async throws -> PruneReport {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !thread.stopping else { return continuation.resume(throwing: LogError.closed) }
            pruneWaiters.append(continuation)
            condition.signal()
        }
    }

    /// Makes the next `count` group writes fail inside RocksDB (sync without a
    /// WAL is an invalid argument), to exercise the failure path.
    func failNextWrites(_ count: Int) {
        condition.lock()
        failingWrites = count
        condition.unlock()
    }

    /// Finishes queued appends, then stops the thread.
    func stop() async {
        await thread.stop()
    }

    /// Asks the thread to stop without waiting for it.
    func requestStop() {
        thread.requestStop()
    }

    // MARK: The loop

    private func run() {
        rocksdb_set_perf_level(rocksPerfLevelDisabled)
        threadID.store(UInt(pthread_self()), ordering: .relaxed)
        while true {
            if pollNext { awaitBriefly() }
            condition.lock()
            // Checked every turn, not only when idle: a log that is never
            // idle still prunes.
            var pruneDue = options.clock() >= nextPruneAt
            while !pruneDue && queue.isEmpty && jobs.isEmpty && pruneWaiters.isEmpty && !thread.stopping {
                let now = options.clock()
                // At most an hour at a time: the deadline may be "never".
                let wait = Double(min(nextPruneAt > now ? nextPruneAt - now : 0, 3_600_000)) / 1000
                if wait <= 0 || !condition.wait(until: Date(timeIntervalSinceNow: wait)) {
                    pruneDue = options.clock() >= nextPruneAt
                }
            }
            if queue.isEmpty && pruneWaiters.isEmpty && thread.stopping && !pruneDue {
                syncer.requestStop()
                exited = true
                let left = takeJobs()
                thread.exitLocked()
                for job in left { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
                return
            }
            // Jobs run once per turn, before the group is taken: a job that
            // keeps queuing more can delay groups, never starve them.
            let ready = takeJobs()
            if !ready.isEmpty {
                condition.unlock()
                for job in ready { job.runSynchronously(on: asUnownedTaskExecutor()) }
                condition.lock()
            }
            if queue.isEmpty && pruneWaiters.isEmpty && !pruneDue {
                pollNext = false
                condition.unlock()
                continue
            }
            let group = takeGroup()
            pollNext = group.count == 1
            let pruners = pruneWaiters
            pruneWaiters = []
            let failWrite = failingWrites > 0 && !group.isEmpty
            if failWrite { failingWrites -= 1 }
            condition.unlock()

            if !group.isEmpty { commit(group, failWrite: failWrite) }
            if pruneDue || !pruners.isEmpty {
                prune(answering: pruners)
                nextPruneAt = options.clock().saturatingAdd(options.pruneInterval.milliseconds)
            }
        }
    }

    /// Polls the queue (and the jobs) for a moment before the loop may sleep
    /// on the condition: an appender answered a moment ago usually sends its
    /// next append within microseconds, and catching it here saves a futex
    /// wake-up per append.
    /// Only right after a group of one: when many append at once, the next
    /// group gathers while this one is written, and polling would only take
    /// a core from the callers.
    private func awaitBriefly() {
        func idle() -> Bool { queued.load(ordering: .relaxed) == 0 && jobsQueued.load(ordering: .relaxed) == 0 }
        guard idle() else { return }
        let until = ContinuousClock.now + options.writerSpin
        while idle() && ContinuousClock.now < until {}
    }

    /// Takes every job queued; called with the lock held.
    private func takeJobs() -> [UnownedJob] {
        guard !jobs.isEmpty else { return [] }
        let taken = jobs
        jobs.removeAll(keepingCapacity: true)
        jobsQueued.store(0, ordering: .relaxed)
        return taken
    }

    /// Takes appends from the front of the queue up to the group's entry limit (at least one).
    private func takeGroup() -> [PendingAppend] {
        var total = 0
        var count = 0
        for append in queue {
            if count > 0 && total + append.weight > options.maxGroupEntries { break }
            total += append.weight
            count += 1
        }
        let group = Array(queue.prefix(count))
        queue.removeFirst(count)
        queued.subtract(count, ordering: .relaxed)
        return group
    }

    // MARK: Group commit

    /// The state one group changes, and how to take it back if the write fails.
    private struct GroupState {
        var batch: WriteBatch
        /// Stream index and idempotency puts, added to the batch sorted by key
        /// when the group is complete: RocksDB inserts into its memtable in batch
        /// order, and sorted keys let each insert start where the last one ended.
        var indexPuts: [(key: [UInt8], value: [UInt8])] = []
        var idempotencyPuts: [(key: [UInt8], value: [UInt8])] = []
        var published: [LogEntry] = []
        var stagedKeys: [IdempotencyKey: IdempotencyRecord] = [:]
        /// Heads of the streams this group moved, as they were before it.
        var headsBefore: [String: UInt64] = [:]
        /// Whether an append's writes were taken back out of the batch.
        var rolledBack = false
        var timestamp: UInt64
    }

    private func commit(_ group: [PendingAppend], failWrite: Bool) {
        if let failure = syncer.failure {
            let stopped = LogError.storage("the log stopped after a failed fsync: \(failure)")
            let completions = group.map { ($0.reply, Result<Staged, any Error>.failure(stopped)) }
            return syncer.hand(LogSyncer.Work(completions: completions, head: lastOffset, wrote: false))
        }
        let offsetBefore = lastOffset
        var state = GroupState(batch: groupBatch, timestamp: max(lastTimestamp, options.clock()))
        defer {
            if state.rolledBack || batchSize(groupBatch) > Self.keptBatchBytes {
                groupBatch = WriteBatch()
            } else {
                groupBatch.clear()
            }
        }
        var outcomes: [Result<Staged, any Error>] = []
        outcomes.reserveCapacity(group.count)
        for append in group {
            outcomes.append(Result { try stage(append, in: &state) })
        }
        // A lone append with nothing behind it and no fsync under way is
        // written with `sync` and completed here; any other group is fsynced
        // by the syncer while the next one is built.
        let reservation = group.count == 1 && queued.load(ordering: .relaxed) == 0
            ? syncer.reserve(writing: !state.published.isEmpty && !failWrite) : nil
        var syncedIn: ContinuousClock.Duration? = nil

        if !state.published.isEmpty {
            for put in state.indexPuts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                state.batch.put(families.streams, key: put.key, value: put.value)
            }
            for put in state.idempotencyPuts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                state.batch.put(families.idempotency, key: put.key, value: put.value)
            }
            do {
                if let reservation {
                    syncedIn = try writeSynced(state.batch, fail: failWrite, failSync: reservation.failSync)
                } else {
                    try write(state.batch, fail: failWrite)
                }
                lastTimestamp = state.timestamp
                options.hook?.groupFinished(committed: true)
                metrics.bytesWritten.increment(by: batchSize(state.batch))
            } catch {
                lastOffset = offsetBefore
                for (stream, head) in state.headsBefore { heads[stream] = head }
                options.hook?.groupFinished(committed: false)
                metrics.writeErrors.increment()
                options.logger.error("group write failed", metadata: ["error": "\(error.message)", "appends": "\(group.count)"])
                // A synced write that failed on I/O may have reached the WAL:
                // its outcome is unknown, so the log stops, as after a failed fsync.
                let failure = reservation != nil && error.isIOError
                    ? syncer.stop(after: error) : LogError.storage(error.message)
                // Refusals too: they were decided on state that has just been taken back.
                outcomes = outcomes.map { _ in .failure(failure) }
                state.published = []
            }
        }
        // Every outcome waits for the fsync, also refusals and retries: they
        // were decided on state that is durable only once that fsync is done.
        // (A reserved group that wrote nothing needs none: the syncer was
        // idle, so all it was decided on is durable already.)
        let work = LogSyncer.Work(
            completions: zip(group, outcomes).map { ($0.reply, $1) }, entries: state.published,
            head: lastOffset, wrote: !state.published.isEmpty)
        if reservation != nil {
            syncer.completeReserved(work, syncedIn: syncedIn)
        } else {
            syncer.hand(work)
        }
    }

    private func batchSize(_ batch: WriteBatch) -> Int {
        var size = 0
        _ = rocksdb_writebatch_data(batch.handle, &size)
        return size
    }

    /// Commits a lone group and fsyncs the WAL in one RocksDB call, as a
    /// single writer of its own would; returns how long that took. An
    /// injected fsync failure writes the group without `sync` and then fails
    /// on "I/O".
    private func writeSynced(_ batch: WriteBatch, fail: Bool, failSync: Bool) throws(RocksError)
        -> ContinuousClock.Duration
    {
        let started = ContinuousClock.now
        if fail { try write(batch, fail: true) }
        try database.write(batch, sync: !failSync)
        if failSync { throw RocksError(message: "IO error: injected fsync failure") }
        return ContinuousClock.now - started
    }

    /// Commits the group to RocksDB (WAL and memtables) without waiting for the disk.
    private func write(_ batch: WriteBatch, fail: Bool) throws(RocksError) {
        guard fail else { return try database.write(batch, sync: false) }
        let invalid = rocksdb_writeoptions_create()
        defer { rocksdb_writeoptions_destroy(invalid) }
        rocksdb_writeoptions_set_sync(invalid, 1)
        rocksdb_writeoptions_disable_WAL(invalid, 1)
        try database.write(batch, options: invalid!)
    }

    /// Checks one append against current state and stages its writes, or
    /// throws having changed nothing. A decided append is decided first; what
    /// its decision throws reaches the caller as it is.
    private func stage(_ append: PendingAppend, in state: inout GroupState) throws -> Staged {
        let entries: [NewEntry]
        switch append.source {
        case .entries(let given):
            entries = given
        case .decide(let decide):
            let context = DecisionContext(timestamp: state.timestamp) { [state] (key) throws(LogError) in
                try self.originalAppend(key, in: state)
            }
            switch try decide(context) {
            case .nothing:
                return Staged(result: AppendResult(entries: []), entries: [], deduplicated: false)
            case .alreadyAppended(let original):
                let results = original.map {
                    AppendedEntry(offset: $0.offset, timestamp: $0.timestamp, streams: $0.streams, deduplicated: true)
                }
                return Staged(result: AppendResult(entries: results), entries: original, deduplicated: true)
            case .append(let decided):
                try EventLog.validate(decided, expecting: [:], maxEntryBytes: options.maxEntryBytes)
                entries = decided
            }
        }
        return try stage(entries, expecting: append.expectations, in: &state)
    }

    private func stage(_ entries: [NewEntry], expecting expectations: [String: UInt64], in state: inout GroupState)
        throws(LogError) -> Staged
    {
        var results = [AppendedEntry?](repeating: nil, count: entries.count)
        for (index, entry) in entries.enumerated() {
            guard let key = entry.idempotencyKey else { continue }
            results[index] = try previousRecord(IdempotencyKey(account: entry.keyScope, key: key), in: state)?.entry
        }
        if results.allSatisfy({ $0 != nil }) {
            return Staged(result: AppendResult(entries: results.map { $0! }), entries: [], deduplicated: true)
        }
        for (stream, expected) in expectations {
            let current = try head(of: stream)
            guard current == expected else {
                throw .versionConflict(stream: stream, expected: expected, current: current)
            }
        }

        let offsetBefore = lastOffset
        var headsBefore: [String: UInt64] = [:]
        var keyed: [(key: IdempotencyKey, result: AppendedEntry)] = []
        var appended: [LogEntry] = []
        let indexPutsBefore = state.indexPuts.count
        state.batch.setSavePoint()
        func undo() {
            lastOffset = offsetBefore
            for (stream, head) in headsBefore { heads[stream] = head }
            state.indexPuts.removeSubrange(indexPutsBefore...)
            try? state.batch.rollbackToSavePoint()
            state.rolledBack = true
        }
        do {
            for (index, entry) in entries.enumerated() where results[index] == nil {
                if let key = entry.idempotencyKey,
                    let earlier = keyed.first(where: { $0.key == IdempotencyKey(account: entry.keyScope, key: key) })
                {
                    results[index] = earlier.result
                    results[index]!.deduplicated = true
                    continue
                }
                lastOffset += 1
                var positions: [StreamPosition] = []
                positions.reserveCapacity(entry.streams.count)
                for stream in entry.streams {
                    guard entry.retention == .durable else {
                        positions.append(StreamPosition(stream: stream, seq: nil))
                        continue
                    }
                    let current = try head(of: stream)
                    if headsBefore[stream] == nil { headsBefore[stream] = current }
                    heads[stream] = current + 1
                    positions.append(StreamPosition(stream: stream, seq: current + 1))
                    state.indexPuts.append((Keys.streamEntry(stream, seq: current + 1), Keys.offset(lastOffset)))
                }
                let stored = LogEntry(
                    offset: lastOffset, timestamp: state.timestamp, type: entry.type, accountID: entry.accountID,
                    streams: positions, retention: entry.retention, idempotencyKey: entry.idempotencyKey,
                    payload: entry.payload)
                let offsetKey = Keys.offset(lastOffset)
                state.batch.put(families.log, key: offsetKey, value: EntryCodec.encode(stored))
                if entry.retention == .ephemeral {
                    state.batch.put(families.ephemeral, key: offsetKey, value: Keys.offset(state.timestamp))
                }
                let result = AppendedEntry(offset: lastOffset, timestamp: state.timestamp, streams: positions, deduplicated: false)
                if let key = entry.idempotencyKey {
                    keyed.append((IdempotencyKey(account: entry.keyScope, key: key), result))
                    state.batch.put(
                        families.idempotencyExpiry,
                        key: Keys.idempotencyExpiry(createdAt: state.timestamp, account: entry.keyScope, key: key), value: [])
                }
                results[index] = result
                appended.append(stored)
            }
            if let hook = options.hook {
                var context = AppendContext(database: database)
                do {
                    try hook.stage(appended, into: &context)
                } catch {
                    throw LogError.rejectedByHook("\(error)")
                }
                for write in context.writes {
                    if let value = write.value {
                        state.batch.put(write.family, key: write.key, value: value)
                    } else {
                        state.batch.delete(write.family, key: write.key)
                    }
                }
            }
            try? state.batch.popSavePoint()
        } catch let error as LogError {
            undo()
            throw error
        } catch {
            undo()
            throw .storage("\(error)")
        }
        for (stream, head) in headsBefore where state.headsBefore[stream] == nil {
            state.headsBefore[stream] = head
        }
        for (key, result) in keyed {
            let record = IdempotencyRecord(entry: result, position: Int(result.offset - offsetBefore - 1), count: appended.count)
            state.stagedKeys[key] = record
            state.idempotencyPuts.append((Keys.idempotency(account: key.account, key: key.key), EntryCodec.encode(record)))
        }
        state.published.append(contentsOf: appended)
        return Staged(result: AppendResult(entries: results.map { $0! }), entries: appended, deduplicated: false)
    }

    /// The record of an idempotency key already used, from this group or from disk.
    private func previousRecord(_ key: IdempotencyKey, in state: GroupState) throws(LogError) -> IdempotencyRecord? {
        if var staged = state.stagedKeys[key] {
            staged.entry.deduplicated = true
            return staged
        }
        let stored: [UInt8]?
        do {
            stored = try database.get(families.idempotency, key: Keys.idempotency(account: key.account, key: key.key))
        } catch {
            throw .storage(error.message)
        }
        guard let stored else { return nil }
        do {
            return try EntryCodec.decodeRecord(stored)
        } catch {
            throw .corrupt(path: database.path, detail: "unreadable idempotency record for account \(key.account)")
        }
    }

    /// Every entry of the append in which `key` was used, from this group or from disk.
    private func originalAppend(_ key: IdempotencyKey, in state: GroupState) throws(LogError) -> [LogEntry]? {
        guard let record = try previousRecord(key, in: state) else { return nil }
        var entries: [LogEntry] = []
        for offset in record.appendOffsets {
            if let first = state.published.first?.offset, offset >= first, offset - first < UInt64(state.published.count) {
                entries.append(state.published[Int(offset - first)])
                continue
            }
            let stored: [UInt8]?
            do {
                stored = try database.get(families.log, key: Keys.offset(offset))
            } catch {
                throw .storage(error.message)
            }
            guard let stored, let entry = try? EntryCodec.decodeEntry(stored), entry.offset == offset else {
                throw .corrupt(path: database.path, detail: "idempotency record points at missing offset \(offset)")
            }
            entries.append(entry)
        }
        return entries
    }

    private func head(of stream: String) throws(LogError) -> UInt64 {
        if let head = heads[stream] { return head }
        let head: UInt64
        do {
            head = try StreamIndex.head(of: stream, database: database, families: families)
        } catch {
            throw .storage(error.message)
        }
        heads[stream] = head
        return head
    }
}

/// The writer's thread as a task executor: jobs run there between groups.
///
/// A task that prefers it resumes here; after a lone append, which the
/// writer syncs itself, that is the thread that made it durable, and the
/// next append is queued from there with no hand-over to another thread.
/// Once the thread has exited, jobs go to the global concurrent executor,
/// so a task that prefers it never hangs.
extension LogWriter: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard !exited else {
            condition.unlock()
            return globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
        jobs.append(job)
        jobsQueued.add(1, ordering: .relaxed)
        condition.signal()
        condition.unlock()
    }
}
