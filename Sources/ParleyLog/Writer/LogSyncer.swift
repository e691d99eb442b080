import CRocksDB
import Foundation
import Synchronization

/// Makes the writer's groups durable and answers their callers.
///
/// The writer commits each group with `sync=false` and hands it here, then goes
/// on with the next group while this thread fsyncs the WAL. One fsync covers
/// every group handed over before it started. Before the fsync the syncer takes
/// a snapshot: everything in it was written before the fsync began, so the
/// fsync covers it (it may also hold groups handed over later, which is just as
/// safe). After the fsync that snapshot becomes what readers see, tails get the
/// entries, and callers get their answers, in log order.
///
/// A lone group with nothing to overlap is not handed over: the writer takes
/// this syncer (``reserve(writing:)``), writes the group with `sync` in one
/// RocksDB call and completes it itself (``completeReserved(_:syncedIn:)``),
/// so its caller is not held up by a wake-up of this thread.
///
/// A failed fsync stops the log (as PostgreSQL does): the groups it covered may
/// or may not be on disk, so their callers get ``LogError/storage(_:)`` with an
/// unknown outcome (retrying with the same idempotency key is safe), and every
/// later append is refused until the log is reopened.
final class LogSyncer: @unchecked Sendable {
    /// One written group (or pruning pass) waiting for its fsync.
    struct Work {
        var completions: [(PendingAppend.Reply, Result<Staged, any Error>)] = []
        /// New entries of the group.
        var entries: [LogEntry] = []
        /// The log's last offset after this group.
        var head: UInt64
        /// Whether it wrote anything, so readers' view must move past it.
        var wrote: Bool
        /// Called once the fsync is done (nil) or failed.
        var whenDurable: (@Sendable (LogError?) -> Void)?
    }

    private let thread = StoppableThread()
    private var condition: NSCondition { thread.condition }
    private var queue: [Work] = []
    /// A batch is being completed, by this thread or inline by the writer.
    private var busy = false
    private var failingSyncs = 0
    private let failureMessage = Mutex<String?>(nil)

    private let database: RocksDatabase
    private let hub: TailHub
    private let view: DurableView
    private let options: LogOptions
    private let metrics: LogMetrics
    let statistics = LogStatistics.Counters()

    init(database: RocksDatabase, hub: TailHub, view: DurableView, options: LogOptions, metrics: LogMetrics) {
        self.database = database
        self.hub = hub
        self.view = view
        self.options = options
        self.metrics = metrics
    }

    func start() {
        thread.start(name: "parley-syncer") { [self] in run() }
    }

    /// Why the log stopped, once an fsync has failed.
    var failure: String? { failureMessage.withLock { $0 } }

    /// Queues `work` for the syncer thread.
    func hand(_ work: Work) {
        condition.lock()
        queue.append(work)
        condition.signal()
        condition.unlock()
    }

    /// A lone group the writer writes with `sync` and completes itself.
    struct Reservation {
        /// Whether its fsync is to fail (tests).
        var failSync: Bool
    }

    /// Takes the syncer for a lone group the writer will complete itself, if
    /// nothing is queued or in progress and the log has not stopped: every
    /// earlier group is then durable and answered, so completing this one on
    /// the writer keeps log order. Only this thread's fsync sets the failure,
    /// so it cannot be set while the reservation is held.
    func reserve(writing: Bool) -> Reservation? {
        condition.lock()
        defer { condition.unlock() }
        guard queue.isEmpty && !busy && failure == nil else { return nil }
        busy = true
        return Reservation(failSync: takeSyncFailure(writing: writing))
    }

    /// Completes a reserved group on the caller's thread and frees the syncer.
    /// Its outcomes stand as they are: the log had not stopped when it was
    /// reserved, and only its own write, failing on I/O, can have stopped it
    /// since, which has already turned every outcome into that failure.
    /// - Parameter syncedIn: How long its synced write took, if it wrote anything.
    func completeReserved(_ work: Work, syncedIn: ContinuousClock.Duration?) {
        if let syncedIn, work.wrote {
            // The writer is this thread, so the snapshot holds this group and
            // nothing the writer wrote later; the owner's own writes
            // (`EventLog.write`) are synced before they become visible.
            publish([work], snapshot: database.snapshot(), syncNanoseconds: syncedIn.nanoseconds, syncedWrite: true)
        }
        answer([work], failed: nil)
        condition.lock()
        busy = false
        if !queue.isEmpty || thread.stopping { condition.signal() }
        condition.unlock()
    }

    /// Whether the batch's fsync should fail (tests); called with the lock held.
    private func takeSyncFailure(writing: Bool) -> Bool {
        guard failingSyncs > 0 && writing else { return false }
        failingSyncs -= 1
        return true
    }

    /// Makes the next `count` fsyncs fail, the syncer's or a lone group's
    /// synced write, to exercise the fail-stop path.
    func failNextSyncs(_ count: Int) {
        condition.lock()
        failingSyncs = count
        condition.unlock()
    }

    /// Finishes the work handed over so far, then stops. The writer must have stopped first.
    func stop() async {
        await thread.stop()
    }

    func requestStop() {
        thread.requestStop()
    }

    private func run() {
        rocksdb_set_perf_level(rocksPerfLevelDisabled)
        while true {
            condition.lock()
            while (queue.isEmpty || busy) && !(thread.stopping && queue.isEmpty && !busy) { condition.wait() }
            if queue.isEmpty {
                thread.exitLocked()
                return
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            busy = true
            let failSync = takeSyncFailure(writing: batch.contains(where: \.wrote))
            condition.unlock()
            complete(batch, failSync: failSync)
            condition.lock()
            busy = false
            condition.unlock()
        }
    }

    private func complete(_ batch: [Work], failSync: Bool) {
        let failed: LogError?
        if let failure {
            // Also for groups that wrote nothing: a retry deduplicated against
            // an entry whose fsync failed must not be told it is durable.
            failed = .storage("the log stopped after a failed fsync: \(failure)")
        } else if batch.contains(where: \.wrote) {
            failed = sync(batch, failSync: failSync)
        } else {
            failed = nil
        }
        answer(batch, failed: failed)
    }

    /// Answers every caller of `batch`; with `failed`, every success turns into it.
    private func answer(_ batch: [Work], failed: LogError?) {
        for work in batch {
            work.whenDurable?(failed)
            for (reply, outcome) in work.completions {
                if let failed, case .success = outcome {
                    reply.resume(with: .failure(failed))
                } else {
                    reply.resume(with: outcome)
                }
            }
        }
    }

    /// Fsyncs the WAL and, if that worked, shows readers and tails what it
    /// covered; returns the error every success in `batch` must turn into otherwise.
    private func sync(_ batch: [Work], failSync: Bool) -> LogError? {
        let snapshot = database.snapshot()
        let started = ContinuousClock.now
        do throws(RocksError) {
            if failSync { throw RocksError(message: "IO error: injected fsync failure") }
            try database.syncWAL()
        } catch {
            metrics.writeErrors.increment()
            return stop(after: error)
        }
        publish(batch, snapshot: snapshot, syncNanoseconds: (ContinuousClock.now - started).nanoseconds, syncedWrite: false)
        return nil
    }

    /// Stops the log after a failed fsync (or a synced write that failed on
    /// I/O); returns the error its callers get.
    func stop(after error: RocksError) -> LogError {
        failureMessage.withLock { $0 = error.message }
        options.logger.critical("fsync failed; the log stops", metadata: ["error": "\(error.message)"])
        return .storage("fsync failed, outcome unknown (retry with the same idempotency key): \(error.message)")
    }

    /// Shows readers and tails what a finished fsync covered.
    private func publish(_ batch: [Work], snapshot: RocksSnapshot, syncNanoseconds elapsed: Int64, syncedWrite: Bool) {
        metrics.fsyncDuration.recordNanoseconds(elapsed)
        view.replace(with: snapshot)
        if let last = batch.last(where: { !$0.entries.isEmpty }) {
            let entries = batch.count == 1 ? batch[0].entries : batch.flatMap(\.entries)
            hub.publish(entries, head: last.head)
            statistics.record(entries: entries.count, syncNanoseconds: elapsed, syncedWrite: syncedWrite)
            metrics.groupSize.record(entries.count)
            metrics.appendedEntries.increment(by: entries.count)
        }
    }
}
