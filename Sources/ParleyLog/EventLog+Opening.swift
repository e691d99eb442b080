import Foundation

/// Opening a data directory: mapping RocksDB's failures to causes, and the
/// log's own metadata (format version, epoch, head and clock).
extension EventLog {
    /// Names the cause of a failed RocksDB open. Only damage is `corrupt`: a
    /// full disk or too many open files must not send an operator to a restore.
    static func openError(_ error: RocksError, path: String) -> LogError {
        let message = error.message
        if message.contains("lock") || message.contains("LOCK") { return .locked(path: path) }
        if message.contains("Corruption") { return .corrupt(path: path, detail: message) }
        return .storage(message)
    }

    struct Metadata {
        var epoch: String
        var head: UInt64
        var clock: UInt64
    }

    /// Reads the log's metadata; a primary (`creating`) makes it where a
    /// directory has none yet.
    static func loadMetadata(_ database: RocksDatabase, families: LogFamilies, creating: Bool = true) throws(LogError)
        -> Metadata
    {
        let path = database.path
        let format = try storage { () throws(RocksError) in try database.get(families.meta, key: MetaKey.format) }
        guard let format else {
            guard creating else { throw .notALogDirectory(path: path) }
            // A process killed while creating the log leaves RocksDB's files
            // and no metadata: with nothing in the log, creating it again is safe.
            let any = database.iterator(families.log)
            any.seekToFirst()
            guard !any.isValid else { throw .corrupt(path: path, detail: "the log's metadata is missing") }
            return try create(database, families: families)
        }
        guard format.count == 4 else { throw .corrupt(path: path, detail: "unreadable format version") }
        let version = format.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard version <= formatVersion else { throw .unsupportedFormat(found: version, supported: formatVersion) }
        let epoch = try storage { () throws(RocksError) in try database.get(families.meta, key: MetaKey.epoch) }
        guard let epoch, !epoch.isEmpty else { throw .corrupt(path: path, detail: "the log's epoch is missing") }
        // The newest entry is never pruned, so it gives the head and the clock.
        let last = database.iterator(families.log)
        last.seekToLast()
        var newest: LogEntry?
        if last.isValid {
            let offset = last.withKey { UInt64(bigEndianBytes: $0) }
            newest = try last.withValue { value in
                Result { () throws(LogError) in try decode(value, offset: offset, path: path) }
            }.get()
        }
        try storage { () throws(RocksError) in try last.checkError() }
        return Metadata(
            epoch: String(decoding: epoch, as: UTF8.self), head: newest?.offset ?? 0, clock: newest?.timestamp ?? 0)
    }

    static func create(_ database: RocksDatabase, families: LogFamilies) throws(LogError) -> Metadata {
        let epoch = newEpoch()
        var version = [UInt8]()
        version.appendBigEndian(formatVersion)
        let batch = WriteBatch()
        batch.put(families.meta, key: MetaKey.format, value: version)
        batch.put(families.meta, key: MetaKey.epoch, value: Array(epoch.utf8))
        try storage { () throws(RocksError) in try database.write(batch, sync: true) }
        return Metadata(epoch: epoch, head: 0, clock: 0)
    }

    /// Sixteen random hex digits.
    static func newEpoch() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
