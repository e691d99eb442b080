import Foundation
import ParleyDomain
import ParleyLog

extension CommandLedger {
    /// Rebuilds every view of the data directory at `path`, which no other
    /// process may hold: folds the whole log into fresh domain state and
    /// projections, without reading the checkpoint they replace, and writes
    /// them as the new checkpoint.
    ///
    /// Loading the old checkpoint only to compare it was most of the time of
    /// an offline rebuild of a large log, so this one does not compare, and
    /// its report carries no digests: computing them took as long again as
    /// writing the checkpoint (``rebuild(_:verify:)`` with `verify` compares).
    /// Folding every view costs what folding one does (decoding the log is
    /// the work), so all of them are rebuilt whatever `names` says.
    ///
    /// - Throws: ``LogError`` when the directory cannot be opened (also
    ///   ``LogError/locked`` while a server holds it) or written.
    public static func rebuildOffline(
        at path: String, reporting names: Set<ProjectionName>, options: LogOptions = LogOptions()
    ) async throws -> RebuildReport {
        let started = ContinuousClock.now
        let ledger = try await open(at: path, options: options, checkpoint: .ignore)
        let folded = ContinuousClock.now
        do {
            let projections = ledger.withProjections { $0 }
            let checkpoint = LedgerCheckpoint(offset: ledger.log.head, state: ledger.core.state, projections: projections)
            let encoded = try await checkpoint.encodedInParallel()
            try await ledger.log.write([StoredValue(family: LedgerCheckpoint.family, key: LedgerCheckpoint.key, value: encoded)])
            await ledger.close(checkpoint: false)
            return RebuildReport(
                projections: names.sorted(), live: nil, rebuilt: nil, events: ledger.eventsFoldedAtOpen, caughtUp: 0,
                offset: checkpoint.offset, swapped: true, duration: folded - started,
                finishing: ContinuousClock.now - folded)
        } catch {
            await ledger.close(checkpoint: false)
            throw error
        }
    }
}
