import Testing

@testable import ParleyLog

/// A failed fsync stops the log: its callers hear an unknown outcome, readers
/// never see what it covered, later appends are refused, and a reopened log is
/// consistent, with a retry under the same key landing at most once.
@Suite struct SyncFailureTests {
    @Test func failedFsyncStopsTheLogAndHidesWhatItCovered() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            try await withOpenLog(at: path) { log in
                _ = try await log.append([entry(streams: ["s"], key: "before")])
                log.failNextSyncs(1)

                await #expect {
                    try await log.append([entry(streams: ["s"], key: "unknown")])
                } throws: { error in
                    guard case .storage(let message) = error as? LogError else { return false }
                    return message.contains("fsync failed")
                }
                // The group reached RocksDB, but readers see only what an fsync covered.
                #expect(log.head == 1)
                #expect(try await log.read(after: 0, limit: 10).map(\.idempotencyKey) == ["before"])
                #expect(try await log.head(of: "s") == 1)
                #expect(try await log.read(stream: "s", after: 0, limit: 10).count == 1)

                await #expect {
                    try await log.append([entry(streams: ["s"], key: "after")])
                } throws: { error in
                    guard case .storage(let message) = error as? LogError else { return false }
                    return message.contains("stopped")
                }
                // A retry of the unknown append is refused too, never told "deduplicated".
                await #expect {
                    try await log.append([entry(streams: ["s"], key: "unknown")])
                } throws: { error in
                    guard case .storage(let message) = error as? LogError else { return false }
                    return message.contains("stopped")
                }
            }

            try await withOpenLog(at: path) { log in
                let retry = try await log.append([entry(streams: ["s"], key: "unknown")])
                let entries = try await log.read(after: 0, limit: 10)
                #expect(entries.filter { $0.idempotencyKey == "unknown" }.count == 1)
                #expect(entries.last?.offset == retry.entries[0].offset)
                #expect(try await log.verify(allowPrunedGaps: false).isConsistent)
                let next = try await log.append([entry(streams: ["s"], key: "after")])
                #expect(next.entries[0].deduplicated == false)
            }
        }
    }

    /// The same on the syncer's path: a lone group with another append
    /// queued behind it is handed to the syncer, whose fsync fails.
    @Test func failedFsyncBehindABusyWriterStopsTheLog() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry(streams: ["s"], key: "before")])
            log.failNextSyncs(1)
            let (first, second) = try await appendWithAnotherQueued(
                log, first: [entry(streams: ["s"], key: "first")], second: [entry(streams: ["s"], key: "second")])

            #expect {
                try first.get()
            } throws: { error in
                guard case .storage(let message) = error as? LogError else { return false }
                return message.contains("fsync failed")
            }
            #expect {
                try second.get()
            } throws: { error in
                guard case .storage = error as? LogError else { return false }
                return true
            }
            #expect(try await log.read(after: 0, limit: 10).map(\.idempotencyKey) == ["before"])
            #expect(try await log.head(of: "s") == 1)
        }
    }
}
