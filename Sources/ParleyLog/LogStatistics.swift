import Synchronization

/// Totals of the writer's group commits since the log opened: how well
/// appends are being grouped and what each synced write costs.
public struct LogStatistics: Sendable, Hashable {
    /// Group commits written (one fsync each).
    public var groups: Int
    /// Entries those groups held.
    public var entries: Int
    /// Time spent in synced batch writes, in nanoseconds.
    public var writeNanoseconds: Int

    /// Mean entries per group commit.
    public var meanGroupSize: Double { groups == 0 ? 0 : Double(entries) / Double(groups) }

    /// Mean time of one synced batch write, in milliseconds.
    public var meanWriteMilliseconds: Double { groups == 0 ? 0 : Double(writeNanoseconds) / Double(groups) / 1e6 }

    /// The counters, written by the writer thread and read by anyone.
    final class Counters: Sendable {
        private let groups = Atomic<Int>(0)
        private let entries = Atomic<Int>(0)
        private let writeNanoseconds = Atomic<Int>(0)

        func record(entries count: Int, writeNanoseconds nanoseconds: Int64) {
            groups.add(1, ordering: .relaxed)
            entries.add(count, ordering: .relaxed)
            writeNanoseconds.add(Int(nanoseconds), ordering: .relaxed)
        }

        var snapshot: LogStatistics {
            LogStatistics(
                groups: groups.load(ordering: .relaxed), entries: entries.load(ordering: .relaxed),
                writeNanoseconds: writeNanoseconds.load(ordering: .relaxed))
        }
    }
}
