import CRocksDB
import Foundation
import NIOPosix
import Synchronization

/// An append-only, fsync-durable, offset-addressed event log on RocksDB.
///
/// Every entry gets a global offset (from 1) and, if durable, a sequence in
/// each stream it belongs to (from 1, contiguous per stream). An append is
/// answered only after the WAL holding it is fsynced. One writer thread
/// commits groups of appends and a syncer thread fsyncs them, so the next
/// group is built while the last one reaches the disk; reads run on a small
/// thread pool and see only what an fsync covered. None of them ever blocks
/// Swift's cooperative pool.
///
/// Call ``close()`` when done: it finishes queued appends, ends every tail and
/// releases the data directory.
public final class EventLog: Sendable {
    /// The format this build writes and the newest it reads.
    public static let formatVersion: UInt32 = 1

    /// The most streams one entry may belong to (a chat event needs about five).
    public static let maxStreamsPerEntry = 64

    /// The most entries one append may hold.
    public static let maxEntriesPerAppend = 10_000

    /// Random, made when the directory was created. A client's position is
    /// meaningful only within one epoch.
    public let epoch: String
    public let path: String
    let database: RocksDatabase
    let families: LogFamilies
    let hub: TailHub
    let view: DurableView
    let writer: LogWriter
    private let syncer: LogSyncer
    private let pool: NIOThreadPool
    private let options: LogOptions
    private let closing = Mutex<CloseState>(.open)

    private enum CloseState {
        case open
        case closing(waiters: [CheckedContinuation<Void, Never>])
        case closed
    }

    /// Opens the log in `path`, creating the directory and the log if needed.
    public static func open(at path: String, options: LogOptions = LogOptions()) async throws -> EventLog {
        let pool = NIOThreadPool(numberOfThreads: max(1, options.readThreads))
        pool.start()
        do {
            return try await pool.runIfActive { try EventLog(path: path, options: options, pool: pool) }
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
    }

    private init(path: String, options: LogOptions, pool: NIOThreadPool) throws(LogError) {
        try DataDirectory.prepare(path)
        let database: RocksDatabase
        do {
            database = try RocksDatabase(
                path: path, familyNames: Family.all + options.extraFamilies, blockCacheBytes: options.blockCacheBytes)
        } catch {
            throw Self.openError(error, path: path)
        }
        let families = LogFamilies(database)
        let metadata = try Self.loadMetadata(database, families: families)
        self.path = path
        self.database = database
        self.families = families
        self.epoch = metadata.epoch
        self.options = options
        self.pool = pool
        let metrics = LogMetrics(factory: options.metricsFactory)
        self.hub = TailHub(head: metadata.head, capacity: options.tailBufferCapacity)
        self.view = DurableView(database.snapshot())
        self.syncer = LogSyncer(database: database, hub: hub, view: view, options: options, metrics: metrics)
        self.writer = LogWriter(
            database: database, families: families, syncer: syncer, options: options, metrics: metrics,
            lastOffset: metadata.head, lastTimestamp: metadata.clock)
        syncer.start()
        writer.start()
    }

    deinit {
        writer.requestStop()
        hub.close()
        pool.shutdownGracefully { _ in }
    }

    /// Stops the writer after the appends already queued, ends every tail,
    /// waits for running reads and closes RocksDB.
    /// Safe to call more than once and from several tasks: later calls wait
    /// for the first to finish.
    ///
    /// - Parameter finalWrites: Called once every queued append is durable and
    ///   before RocksDB closes; what it returns is written, synced, into the
    ///   owner's families. For state that describes the log as of its head,
    ///   such as a checkpoint of views folded from it.
    public func close(finalWrites: (@Sendable () throws -> [StoredValue])? = nil) async {
        let first = closing.withLock { state in
            guard case .open = state else { return false }
            state = .closing(waiters: [])
            return true
        }
        guard first else {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let closed = closing.withLock { state in
                    guard case .closing(let waiters) = state else { return true }
                    state = .closing(waiters: waiters + [continuation])
                    return false
                }
                if closed { continuation.resume() }
            }
            return
        }
        await writer.stop()
        await syncer.stop()
        hub.close()
        // Never after a failed fsync: what was folded may not be on disk.
        if let finalWrites, syncer.failure == nil {
            do {
                try await write(try finalWrites())
            } catch {
                options.logger.error("final writes at close failed", metadata: ["error": "\(error)"])
            }
        }
        try? await pool.shutdownGracefully()
        view.replace(with: nil)
        // Closing waits for RocksDB's background work: not on the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread { [database] in
                database.close()
                continuation.resume()
            }.start()
        }
        let waiters = closing.withLock { state in
            defer { state = .closed }
            guard case .closing(let waiters) = state else { return [CheckedContinuation<Void, Never>]() }
            return waiters
        }
        waiters.forEach { $0.resume() }
    }

    // MARK: Appending

    /// Appends `entries` atomically: all land or none.
    ///
    /// - Parameters:
    ///   - entries: At least one entry.
    ///   - expecting: Stream sequences the append requires (0 = an empty
    ///     stream); on a mismatch it throws ``LogError/versionConflict(stream:expected:current:)``
    ///     and writes nothing.
    /// - Returns: Each entry's offset and stream sequences, answered after the fsync.
    ///   Entries whose idempotency key was used before are not written again;
    ///   their original result comes back with `deduplicated` set.
    public func append(_ entries: [NewEntry], expecting: [String: UInt64] = [:]) async throws -> AppendResult {
        try Self.validate(entries, expecting: expecting, maxEntryBytes: options.maxEntryBytes)
        return try await withCheckedThrowingContinuation { continuation in
            let append = PendingAppend(source: .entries(entries), expectations: expecting, reply: .result(continuation))
            if !writer.submit(append) { continuation.resume(throwing: LogError.closed) }
        }
    }

    /// The writer's thread as a task executor, for a task that appends one
    /// batch at a time and does little in between (an importer, a lone
    /// appender). When its append is alone (nothing queued, no fsync under
    /// way), the writer syncs it itself, so the task's answer runs on the
    /// thread that made it durable and its next append starts there: no
    /// hand-over to another thread and no wake-up of a sleeping one (about a
    /// seventh of a lone append's time on a small virtual machine).
    ///
    /// Its jobs run between groups, so work there delays every appender's
    /// next group: run nothing slow, never block, and do not spin on
    /// `Task.yield()`. Once the log is closed its jobs run on the global
    /// concurrent executor.
    public var writerExecutor: any TaskExecutor { writer }

    /// Appends what `decide` decides, on the writer thread, against the state
    /// every earlier append left: for commands whose events depend on it.
    ///
    /// `decide` runs once, in log order, and must not block. What it throws
    /// reaches the caller unchanged and nothing is appended; entries it returns
    /// are checked as ``append(_:expecting:)`` checks them.
    /// - Returns: The stored entries, after the fsync that made them (or the
    ///   originals of a retried request) durable.
    public func append(deciding decide: @escaping @Sendable (DecisionContext) throws -> Decision) async throws
        -> DecidedAppend
    {
        try await withCheckedThrowingContinuation { continuation in
            let append = PendingAppend(source: .decide(decide), expectations: [:], reply: .decided(continuation))
            if !writer.submit(append) { continuation.resume(throwing: LogError.closed) }
        }
    }

    static func validate(_ entries: [NewEntry], expecting: [String: UInt64], maxEntryBytes: Int) throws(LogError) {
        guard !entries.isEmpty else { throw .emptyBatch }
        guard entries.count <= maxEntriesPerAppend else {
            throw .invalidArgument("an append holds at most \(maxEntriesPerAppend) entries, not \(entries.count)")
        }
        for (index, entry) in entries.enumerated() {
            guard entry.accountID != 0, entry.idempotencyScope != 0 else { throw .invalidAccount(index: index) }
            guard (1...200).contains(entry.type.utf8.count) else { throw .invalidType(index: index) }
            if let key = entry.idempotencyKey, !(1...200).contains(key.utf8.count) {
                throw .invalidIdempotencyKey(index: index)
            }
            guard entry.streams.count <= Self.maxStreamsPerEntry else {
                throw .tooManyStreams(index: index, count: entry.streams.count, limit: Self.maxStreamsPerEntry)
            }
            for (position, stream) in entry.streams.enumerated() {
                guard StreamName.isValid(stream) else { throw .invalidStreamName(stream) }
                // A scan, not a set: an entry has a few streams.
                guard !entry.streams[..<position].contains(stream) else {
                    throw .duplicateStream(index: index, stream: stream)
                }
            }
            // The format stores the payload length in 32 bits, whatever the setting.
            let limit = min(maxEntryBytes, Int(UInt32.max))
            let size = EntryCodec.encodedSize(of: entry)
            guard size <= limit else { throw .entryTooLarge(index: index, size: size, limit: limit) }
        }
        for stream in expecting.keys where !StreamName.isValid(stream) {
            throw .invalidStreamName(stream)
        }
    }

    // MARK: Reading

    /// The offset of the last durable entry (0 for an empty log).
    public var head: UInt64 { hub.head }

    /// Up to `limit` entries after `offset`, oldest first.
    public func read(after offset: UInt64, limit: Int) async throws -> [LogEntry] {
        try LogReads.checkLimit(limit)
        guard offset < .max else { return [] }
        return try await reading { (reads: LogReads) throws(LogError) in try reads.after(offset, limit: limit) }
    }

    /// Up to `limit` entries before `offset` (before the end when nil), newest first.
    public func read(before offset: UInt64? = nil, limit: Int) async throws -> [LogEntry] {
        try LogReads.checkLimit(limit)
        return try await reading { (reads: LogReads) throws(LogError) in try reads.before(offset, limit: limit) }
    }

    /// Up to `limit` entries of `stream` with a sequence above `seq`, in sequence order.
    public func read(stream: String, after seq: UInt64, limit: Int) async throws -> [LogEntry] {
        try LogReads.checkLimit(limit)
        try LogReads.checkStream(stream)
        guard seq < .max else { return [] }
        return try await reading { (reads: LogReads) throws(LogError) in
            try reads.stream(stream, after: seq, limit: limit)
        }
    }

    /// Up to `limit` entries of `stream` with a sequence below `seq` (below the end when nil), newest first.
    public func read(stream: String, before seq: UInt64? = nil, limit: Int) async throws -> [LogEntry] {
        try LogReads.checkLimit(limit)
        try LogReads.checkStream(stream)
        return try await reading { (reads: LogReads) throws(LogError) in
            try reads.stream(stream, before: seq, limit: limit)
        }
    }

    /// A value the owner stored in one of ``LogOptions/extraFamilies``, as of the latest fsync.
    public func value(family: String, key: [UInt8]) async throws -> [UInt8]? {
        try LogReads.checkOwnerFamily(family)
        return try await reading { (reads: LogReads) throws(LogError) in try reads.value(family: family, key: key) }
    }

    /// The last sequence of `stream` (0 when it has none).
    public func head(of stream: String) async throws -> UInt64 {
        try LogReads.checkStream(stream)
        return try await reading { (reads: LogReads) throws(LogError) in try reads.head(of: stream) }
    }

    /// Streams whose name starts with `prefix`, in name order, after `after` when given.
    public func streams(prefix: String, after: String? = nil, limit: Int) async throws -> [StreamHead] {
        try LogReads.checkLimit(limit)
        guard StreamName.isValidPrefix(prefix) else { throw LogError.invalidStreamName(prefix) }
        return try await reading { (reads: LogReads) throws(LogError) in
            try reads.streams(prefix: prefix, after: after, limit: limit)
        }
    }

    /// Runs `read` on the read pool against what the latest fsync covered.
    private func reading<T: Sendable>(_ read: @escaping @Sendable (LogReads) throws(LogError) -> T) async throws -> T {
        try await blocking { [database, families, view] () throws(LogError) in
            try read(LogReads(database: database, families: families, snapshot: view.snapshot))
        }
    }

    // MARK: Tailing

    /// Every entry after global `offset`: stored ones, then live ones.
    public func tail(after offset: UInt64) -> LogTail {
        LogTail(log: self, filter: .all, after: offset)
    }

    /// Every entry of `stream` after sequence `seq`: stored ones, then live ones
    /// (ephemeral entries of the stream included, live only).
    public func tail(stream: String, after seq: UInt64) throws -> LogTail {
        guard StreamName.isValid(stream) else { throw LogError.invalidStreamName(stream) }
        return LogTail(log: self, filter: .stream(stream), after: seq)
    }

    /// Group commit totals since the log opened.
    public var statistics: LogStatistics { syncer.statistics.snapshot }

    /// Tails currently registered (for tests and metrics).
    public var activeTails: Int { hub.subscriberCount }

    // MARK: Maintenance

    /// Writes a consistent copy of the database into `directory` (which must
    /// not exist) while appends continue. The copy may hold a few entries whose
    /// fsync had not finished: it is a consistent prefix of the log, never torn.
    public func checkpoint(to directory: String) async throws {
        try await blocking { [database] () throws(LogError) in
            try Self.storage { () throws(RocksError) in try database.checkpoint(to: directory) }
        }
    }

    /// Deletes expired ephemeral entries and idempotency keys now, instead of
    /// waiting for the next scheduled pass.
    public func prune() async throws -> PruneReport {
        try await writer.prune()
    }

    func failNextWrites(_ count: Int) {
        writer.failNextWrites(count)
    }

    func failNextSyncs(_ count: Int) {
        syncer.failNextSyncs(count)
    }

    // MARK: Helpers

    /// Runs a blocking RocksDB call on the read pool.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws(LogError) -> T) async throws -> T {
        do {
            return try await pool.runIfActive {
                rocksdb_set_perf_level(rocksPerfLevelDisabled)
                return try body()
            }
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError.closed
        }
    }

    static func storage<T>(_ body: () throws(RocksError) -> T) throws(LogError) -> T {
        do {
            return try body()
        } catch {
            throw .storage(error.message)
        }
    }
}
