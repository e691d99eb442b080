import Foundation

/// Removing what expired: ephemeral entries and idempotency keys, on the writer thread.
extension LogWriter {
    private static let pruneBatch = 10_000

    /// Prunes, then lets the syncer move readers' view past the deletions
    /// before `pruners` hear what was removed.
    func prune(answering pruners: [CheckedContinuation<PruneReport, any Error>]) {
        let result = Result { () throws(LogError) in try pruneAll() }
        let removed = (try? result.get()).map { $0.ephemeralEntries + $0.idempotencyKeys } ?? 0
        syncer.hand(
            LogSyncer.Work(head: lastOffset, wrote: removed > 0) { failure in
                let outcome = failure.map { .failure($0) } ?? result
                pruners.forEach { $0.resume(with: outcome.mapError { $0 as any Error }) }
            })
    }

    private func pruneAll() throws(LogError) -> PruneReport {
        var total = PruneReport()
        while true {
            let pass = try pruneOnce()
            total.ephemeralEntries += pass.ephemeralEntries
            total.idempotencyKeys += pass.idempotencyKeys
            if pass.ephemeralEntries < Self.pruneBatch && pass.idempotencyKeys < Self.pruneBatch { return total }
        }
    }

    /// Deletes up to `pruneBatch` expired ephemeral entries and idempotency keys.
    ///
    /// The newest entry is never pruned: the log's head and clock are read
    /// from it at open, so removing it could let an offset be reused.
    private func pruneOnce() throws(LogError) -> PruneReport {
        let now = options.clock()
        let batch = WriteBatch()
        var report = PruneReport()

        let ephemeralCutoff = now &- min(now, options.ephemeralRetention.milliseconds)
        let ephemeral = database.iterator(families.ephemeral)
        ephemeral.seekToFirst()
        while ephemeral.isValid && report.ephemeralEntries < Self.pruneBatch {
            let key = ephemeral.key
            guard let stamp = UInt64(bigEndianBytes: ephemeral.value), stamp < ephemeralCutoff,
                let offset = UInt64(bigEndianBytes: key), offset < lastOffset
            else { break }
            batch.delete(families.log, key: key)
            batch.delete(families.ephemeral, key: key)
            report.ephemeralEntries += 1
            ephemeral.next()
        }

        let keyCutoff = now &- min(now, options.idempotencyRetention.milliseconds)
        let expiry = database.iterator(families.idempotencyExpiry, upper: Keys.offset(keyCutoff))
        expiry.seekToFirst()
        while expiry.isValid && report.idempotencyKeys < Self.pruneBatch {
            let key = expiry.key
            batch.delete(families.idempotency, key: Array(key.dropFirst(8)))
            batch.delete(families.idempotencyExpiry, key: key)
            report.idempotencyKeys += 1
            expiry.next()
        }
        do {
            try ephemeral.checkError()
            try expiry.checkError()
            if batch.count > 0 { try database.write(batch, sync: false) }
        } catch {
            throw .storage(error.message)
        }
        return report
    }
}
