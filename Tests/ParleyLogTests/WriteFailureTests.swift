import Testing

@testable import ParleyLog

/// A group write that fails inside RocksDB: its appends throw a storage
/// error, nothing of them is visible, and the next append fills the same
/// offsets and sequences.
@Suite struct WriteFailureTests {
    @Test func failedWriteLeavesNoTraceAndNoGap() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry("ok", streams: ["s"])])
            log.failNextWrites(1)
            let error = await #expect(throws: LogError.self) {
                try await log.append([entry("lost", streams: ["s", "t"], key: "k"), entry("lost", streams: ["t"])])
            }
            guard case .storage(let message) = error else {
                Issue.record("expected .storage, got \(String(describing: error))")
                return
            }
            #expect(!message.isEmpty)
            #expect(error?.code == "storage_error")
            #expect(log.head == 1)
            #expect(try await log.head(of: "s") == 1)
            #expect(try await log.head(of: "t") == 0)
            #expect(try await log.read(after: 1, limit: 10).isEmpty)
            #expect(try await log.read(stream: "t", after: 0, limit: 10).isEmpty)

            // The retry is not deduplicated (the key was never stored) and takes the same places.
            let retry = try await log.append([entry("ok", streams: ["s", "t"], key: "k"), entry("ok", streams: ["t"])])
            #expect(retry.entries.map(\.deduplicated) == [false, false])
            #expect(retry.entries.map(\.offset) == [2, 3])
            #expect(retry.entries[0].streams == [StreamPosition(stream: "s", seq: 2), StreamPosition(stream: "t", seq: 1)])
            #expect(retry.entries[1].streams == [StreamPosition(stream: "t", seq: 2)])
            #expect(try await allEntries(log).map(\.type) == ["ok", "ok", "ok"])
            #expect(try await log.verify(allowPrunedGaps: false).isConsistent)
        }
    }

    @Test func failedWriteTellsTheHook() async throws {
        let hook = CountingHook()
        var options = testOptions()
        options.extraFamilies = ["proj"]
        options.hook = hook
        try await withLog(options) { log, _ in
            log.failNextWrites(1)
            await #expect(throws: LogError.self) { try await log.append([entry("a")]) }
            _ = try await log.append([entry("b")])
            #expect(hook.state.withLock { $0.finished } == [false, true])
            let proj = log.database.family("proj")!
            #expect(try log.database.get(proj, key: CountingHook.countKey("a")) == nil)
            #expect(try log.database.get(proj, key: Keys.offset(1)) == Array("b".utf8))
        }
    }

    /// The same on the syncer's path: a group of one with another append
    /// queued behind it fails alone, and the one behind takes its places.
    @Test func failedWriteBehindABusyWriterLeavesNoGap() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry("ok", streams: ["s"])])
            log.failNextWrites(1)
            let (first, second) = try await appendWithAnotherQueued(
                log, first: [entry("lost", streams: ["s"])], second: [entry("next", streams: ["s"])])

            #expect(throws: LogError.self) { try first.get() }
            // Neither was written by the writer alone: the first had one queued behind it.
            #expect(log.statistics.syncedWrites == 1)
            let next = try second.get()
            #expect(next.entries.map(\.offset) == [2])
            #expect(next.entries[0].streams == [StreamPosition(stream: "s", seq: 2)])
            #expect(try await allEntries(log).map(\.type) == ["ok", "next"])
            #expect(try await log.verify(allowPrunedGaps: false).isConsistent)
        }
    }
}
