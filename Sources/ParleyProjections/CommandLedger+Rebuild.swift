import Foundation
import ParleyDomain
import ParleyLog

/// Rebuilding projections from the log while commands keep coming.
///
/// DESIGN.md rebuilds into fresh column families and swaps them in; here the
/// projections live in memory, so a rebuild folds the log into fresh
/// projections off the writer thread and swaps them in on it. It begins on
/// the writer thread at the offset folded so far (H): from then on the ledger
/// also keeps every event it folds for the rebuild. The log up to H is folded
/// on other threads; what came in meanwhile is caught up in rounds, and the
/// last round runs on the writer thread, where it swaps the result in under
/// the projections' lock. No event is missed or folded twice, and readers
/// see the old projections or the new ones, never a mix.
extension CommandLedger {
    /// Rebuilds `names` from the log. With `verify`, only compares: the live
    /// projections stay as they are. Otherwise swaps the rebuilt ones in and
    /// writes a fresh checkpoint, so a restart starts from them too.
    ///
    /// - Throws: ``LedgerError/rebuildRunning`` while another rebuild runs,
    ///   ``LedgerError/stopped(_:)`` after a failed write, ``LogError`` when
    ///   the log cannot be read.
    public func rebuild(_ names: Set<ProjectionName>, verify: Bool) async throws -> RebuildReport {
        let started = ContinuousClock.now
        let core = self.core
        let start = try await onWriterThread { () throws(LedgerError) in
            guard core.rebuildTail == nil else { throw .rebuildRunning }
            core.rebuildTail = []
            return core.foldedOffset.load(ordering: .acquiring)
        }
        let finish: Finish
        var events = 0
        var caughtUp = 0
        do {
            var rebuilt = Projections()
            events = try await LogFold.fold(log, through: start, into: &rebuilt, only: names)
            // Catch up off the writer thread while much came in, so the last
            // round, which holds up writes, stays short.
            for _ in 0..<8 {
                let tail = try await onWriterThread { () throws(LedgerError) in
                    defer { core.rebuildTail = [] }
                    return core.rebuildTail ?? []
                }
                for event in tail { rebuilt.apply(event, only: names) }
                caughtUp += tail.count
                if tail.count < 1024 { break }
            }
            finish = try await onWriterThread { [rebuilt] () throws(LedgerError) in
                var rebuilt = rebuilt
                let tail = core.rebuildTail ?? []
                core.rebuildTail = nil
                for event in tail { rebuilt.apply(event, only: names) }
                let (live, current) = core.projections.withLock { projections in
                    let live = projections
                    if !verify { projections.replace(names, with: rebuilt) }
                    return (live, projections)
                }
                return Finish(
                    live: live, rebuilt: rebuilt, current: current, state: core.state,
                    offset: core.foldedOffset.load(ordering: .acquiring), lastRound: tail.count)
            }
            caughtUp += finish.lastRound
            events += caughtUp
        } catch {
            _ = try? await onWriterThread { () throws(LedgerError) in core.rebuildTail = nil }
            throw error
        }
        let swapped = ContinuousClock.now
        // The fresh checkpoint and the digests are encodings of the whole
        // state: on two cores at once.
        async let written: Void = verify ? () : writeCheckpoint(finish)
        let sorted = names.sorted()
        let digests = try await Self.digests(of: sorted, live: finish.live, rebuilt: finish.rebuilt)
        try await written
        return RebuildReport(
            projections: sorted, live: digests.live, rebuilt: digests.rebuilt, events: events, caughtUp: caughtUp,
            offset: finish.offset, swapped: !verify, duration: swapped - started, finishing: ContinuousClock.now - swapped)
    }

    private func writeCheckpoint(_ finish: Finish) async throws {
        let checkpoint = LedgerCheckpoint(offset: finish.offset, state: finish.state, projections: finish.current)
        let bytes = try await checkpoint.encodedInParallel()
        try await log.write([StoredValue(family: LedgerCheckpoint.family, key: LedgerCheckpoint.key, value: bytes)])
    }

    /// Each named projection's digest, live and rebuilt, the two sets in parallel.
    private static func digests(of names: [ProjectionName], live: Projections, rebuilt: Projections) async throws -> (
        live: [ProjectionName: String], rebuilt: [ProjectionName: String]
    ) {
        @Sendable func digests(_ projections: Projections) throws -> [ProjectionName: String] {
            try Dictionary(uniqueKeysWithValues: names.map { ($0, try projections.digest(of: $0)) })
        }
        async let liveDigests = OwnThread.run { try digests(live) }
        let rebuiltDigests = try await OwnThread.run { try digests(rebuilt) }
        return (try await liveDigests, rebuiltDigests)
    }

    /// What the last round hands back from the writer thread.
    private struct Finish: Sendable {
        /// The projections as they were live, just before the swap.
        var live: Projections
        var rebuilt: Projections
        /// The projections after the swap (the live ones when verifying).
        var current: Projections
        var state: DomainState
        var offset: UInt64
        var lastRound: Int
    }

    /// Runs `body` on the writer thread, between appends, and returns once
    /// everything folded before it is durable.
    private func onWriterThread<T: Sendable>(_ body: @escaping @Sendable () throws(LedgerError) -> T) async throws -> T {
        let core = self.core
        let result = WriterResult<T>()
        _ = try await log.append(deciding: { _ in
            if let failure = core.failure.withLock({ $0 }) { throw LedgerError.stopped(failure) }
            result.value = try body()
            return .nothing
        })
        guard let value = result.value else { throw LedgerError.stopped("the log answered without running the rebuild's step") }
        return value
    }
}

/// A value made on the writer thread, read by the caller once it is answered.
private final class WriterResult<T>: @unchecked Sendable {
    var value: T?
}

/// What a rebuild did.
public struct RebuildReport: Sendable, Hashable {
    /// The projections rebuilt, by name.
    public var projections: [ProjectionName]
    /// Their digests as they were live (at the swap, or at the comparison);
    /// nil when the live projections were not loaded (an offline rebuild).
    public var live: [ProjectionName: String]?
    /// Their digests as rebuilt from the log; nil when not computed (an
    /// offline rebuild).
    public var rebuilt: [ProjectionName: String]?
    /// Log entries folded, including those written while the rebuild ran
    /// (ephemeral ones count: they are read and skipped).
    public var events: Int
    /// Of those, the ones written while the rebuild ran (after its start offset).
    public var caughtUp: Int
    /// The last offset the rebuilt projections include.
    public var offset: UInt64
    /// True when the rebuilt projections replaced the live ones.
    public var swapped: Bool
    /// Folding and swapping.
    public var duration: Duration
    /// After the swap: the digests and (unless verifying) the fresh checkpoint.
    public var finishing: Duration

    /// The projections whose live state differed from the log's; nil when
    /// the live projections were not loaded.
    public var differing: [ProjectionName]? {
        guard let live, let rebuilt else { return nil }
        return projections.filter { live[$0] != rebuilt[$0] }
    }
}

/// Runs seconds of CPU work (encoding whole projections) on a thread of its
/// own: on Swift's cooperative pool, with two cores, it held up the server's
/// requests for as long.
enum OwnThread {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
