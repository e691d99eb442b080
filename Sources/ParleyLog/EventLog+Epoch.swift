import Foundation

extension EventLog {
    /// Gives the log in `path` a new random epoch and returns it.
    ///
    /// For a directory put back from a backup: its offsets may have been
    /// handed out again by the log it was copied from after the copy was
    /// taken, so a client's position from before the restore must not be
    /// taken at its word. With a new epoch every client is told to resync.
    /// The directory must hold a log (it is never created) and must not be
    /// open anywhere; the epoch is written with a synced write.
    public static func renewEpoch(at path: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            // Opening and closing RocksDB block: never on the cooperative pool.
            Thread {
                continuation.resume(with: Result { () throws(LogError) in try renewEpochBlocking(at: path) })
            }.start()
        }
    }

    private static func renewEpochBlocking(at path: String) throws(LogError) -> String {
        try DataDirectory.requireExisting(path)
        let database: RocksDatabase
        do {
            database = try RocksDatabase(path: path, familyNames: [], blockCacheBytes: 1 << 20)
        } catch {
            throw openError(error, path: path)
        }
        defer { database.close() }
        guard Family.all.allSatisfy({ database.family($0) != nil }) else { throw .notALogDirectory(path: path) }
        let families = LogFamilies(database)
        _ = try loadMetadata(database, families: families, creating: false)
        let epoch = newEpoch()
        let batch = WriteBatch()
        batch.put(families.meta, key: MetaKey.epoch, value: Array(epoch.utf8))
        try storage { () throws(RocksError) in try database.write(batch, sync: true) }
        return epoch
    }
}
