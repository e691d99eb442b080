import Foundation
import NIOPosix
import Synchronization

/// A read-only view of a data directory, safe while a server writes to it.
///
/// It is a RocksDB secondary instance: it sees the log as the primary had it
/// when the reader opened or last called ``catchUp()``, including every
/// acknowledged append (the primary fsyncs its WAL before answering), and it
/// never takes the directory's lock, writes to it or prunes it. Tools that
/// must not race the server (export, replay, inspect) read through it.
///
/// Reads block on RocksDB, so they run on the reader's own thread.
public final class LogReader: Sendable {
    public let path: String
    /// The epoch the directory was created with.
    public let epoch: String
    let database: RocksDatabase
    let families: LogFamilies
    private let pool: NIOThreadPool
    private let scratch: String
    private let currentHead: Mutex<UInt64>

    /// Opens the log in `path` for reading. Fails with a ``LogError`` naming
    /// the cause when `path` is missing, not a Parley log, or of a newer format.
    public static func open(at path: String) async throws -> LogReader {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        do {
            return try await pool.runIfActive { try LogReader(path: path, pool: pool) }
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
    }

    private init(path: String, pool: NIOThreadPool) throws(LogError) {
        try DataDirectory.requireExisting(path)
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("parley-reader-\(UUID().uuidString)").path
        let database: RocksDatabase
        do {
            database = try RocksDatabase(path: path, familyNames: [], blockCacheBytes: 32 << 20, access: .secondary(scratch: scratch))
        } catch {
            try? FileManager.default.removeItem(atPath: scratch)
            throw EventLog.openError(error, path: path)
        }
        guard database.family(Family.meta) != nil, Family.all.allSatisfy({ database.family($0) != nil }) else {
            database.close()
            try? FileManager.default.removeItem(atPath: scratch)
            throw .notALogDirectory(path: path)
        }
        let families = LogFamilies(database)
        let metadata: EventLog.Metadata
        do {
            metadata = try EventLog.loadMetadata(database, families: families, creating: false)
        } catch {
            database.close()
            try? FileManager.default.removeItem(atPath: scratch)
            throw error
        }
        self.path = path
        self.epoch = metadata.epoch
        self.database = database
        self.families = families
        self.pool = pool
        self.scratch = scratch
        self.currentHead = Mutex(metadata.head)
    }

    /// The offset of the newest entry as of the last open or catch-up.
    public var head: UInt64 { currentHead.withLock { $0 } }

    /// Every column family the directory holds, the log's own included.
    public var familyNames: [String] {
        database.familyNames.filter { $0 != "default" }.sorted()
    }

    /// Column families the directory holds beyond the log's own (projection state).
    public var ownerFamilies: [String] {
        database.familyNames.filter { !Family.all.contains($0) && $0 != "default" }.sorted()
    }

    /// Follows the primary: later reads see what it appended since.
    public func catchUp() async throws {
        let head = try await blocking { [database, families] () throws(LogError) in
            try EventLog.storage { () throws(RocksError) in try database.catchUpWithPrimary() }
            return try EventLog.loadMetadata(database, families: families, creating: false).head
        }
        currentHead.withLock { $0 = head }
    }

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

    /// A value the server stored in one of its own families (see ``ownerFamilies``).
    public func value(family: String, key: [UInt8]) async throws -> [UInt8]? {
        try LogReads.checkOwnerFamily(family)
        return try await reading { (reads: LogReads) throws(LogError) in try reads.value(family: family, key: key) }
    }

    /// Closes RocksDB and removes the reader's scratch files.
    public func close() async {
        try? await pool.shutdownGracefully()
        database.close()
        try? FileManager.default.removeItem(atPath: scratch)
    }

    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws(LogError) -> T) async throws -> T {
        do {
            return try await pool.runIfActive { try body() }
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError.closed
        }
    }

    /// Runs `read` on the reader's thread.
    private func reading<T: Sendable>(_ read: @escaping @Sendable (LogReads) throws(LogError) -> T) async throws -> T {
        try await blocking { [database, families] () throws(LogError) in
            try read(LogReads(database: database, families: families, snapshot: nil))
        }
    }
}
