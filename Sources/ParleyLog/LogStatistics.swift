import Synchronization

/// Totals of the log's fsyncs since it opened: how well appends are being
/// grouped and what each fsync costs.
public struct LogStatistics: Sendable, Hashable {
    /// WAL fsyncs that made entries durable (a lone append's synced write counts as one).
    public var syncs: Int
    /// Entries those fsyncs covered.
    public var entries: Int
    /// Of those, lone appends the writer wrote with `sync` itself.
    public var syncedWrites: Int
    /// Time spent in those fsyncs, in nanoseconds (for a lone append, in its
    /// synced write: the WAL write and the fsync in one call).
    public var syncNanoseconds: Int

    /// Mean entries made durable by one fsync.
    public var meanEntriesPerSync: Double { syncs == 0 ? 0 : Double(entries) / Double(syncs) }

    /// Mean time of one fsync (or synced write), in milliseconds.
    public var meanSyncMilliseconds: Double { syncs == 0 ? 0 : Double(syncNanoseconds) / Double(syncs) / 1e6 }

    /// The counters, written by whoever completes an fsync and read by anyone.
    final class Counters: Sendable {
        private let syncs = Atomic<Int>(0)
        private let entries = Atomic<Int>(0)
        private let syncNanoseconds = Atomic<Int>(0)
        private let syncedWrites = Atomic<Int>(0)

        func record(entries count: Int, syncNanoseconds nanoseconds: Int64, syncedWrite: Bool) {
            syncs.add(1, ordering: .relaxed)
            if syncedWrite { syncedWrites.add(1, ordering: .relaxed) }
            entries.add(count, ordering: .relaxed)
            syncNanoseconds.add(Int(nanoseconds), ordering: .relaxed)
        }

        var snapshot: LogStatistics {
            LogStatistics(
                syncs: syncs.load(ordering: .relaxed), entries: entries.load(ordering: .relaxed),
                syncedWrites: syncedWrites.load(ordering: .relaxed), syncNanoseconds: syncNanoseconds.load(ordering: .relaxed))
        }
    }
}
