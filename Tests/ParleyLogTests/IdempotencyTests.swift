import Testing

@testable import ParleyLog

/// Idempotency keys: a retried append returns the original result and writes
/// nothing, keys are scoped by account, survive a reopen, and expire.
@Suite struct IdempotencyTests {
    @Test func retryReturnsOriginalResultAndWritesNothing() async throws {
        try await withLog { log, _ in
            let original = try await log.append([entry(streams: ["s"], key: "k1")])
            #expect(original.entries[0].deduplicated == false)
            let retry = try await log.append([entry(streams: ["s"], key: "k1")])
            var expected = original.entries[0]
            expected.deduplicated = true
            #expect(retry.entries == [expected])
            #expect(log.head == 1)
            #expect(try await log.head(of: "s") == 1)
            #expect(try await allEntries(log).count == 1)
        }
    }

    @Test func retryAfterReopenIsDeduplicated() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            let original = try await withOpenLog(at: path) { log in
                try await log.append([entry(streams: ["s"], key: "k1")]).entries[0]
            }
            try await withOpenLog(at: path) { log in
                let retry = try await log.append([entry(streams: ["s"], key: "k1")])
                #expect(retry.entries[0].deduplicated)
                #expect(retry.entries[0].offset == original.offset)
                #expect(retry.entries[0].timestamp == original.timestamp)
                #expect(retry.entries[0].streams == original.streams)
                #expect(log.head == 1)
            }
        }
    }

    @Test func sameKeyInAnotherAccountIsAnotherKey() async throws {
        try await withLog { log, _ in
            let first = try await log.append([entry(account: 1, key: "k")])
            let second = try await log.append([entry(account: 2, key: "k")])
            #expect(first.entries[0].offset == 1)
            #expect(second.entries[0].offset == 2)
            #expect(second.entries[0].deduplicated == false)
            #expect(log.head == 2)
            let retry = try await log.append([entry(account: 2, key: "k")])
            #expect(retry.entries[0].offset == 2)
            #expect(retry.entries[0].deduplicated)
        }
    }

    @Test func concurrentAppendsWithOneKeyWriteOneEntry() async throws {
        try await withLog { log, _ in
            let results = try await withThrowingTaskGroup(of: AppendedEntry.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await log.append([entry(streams: ["s"], key: "same")]).entries[0] }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 2)
            #expect(results.map(\.offset) == [1, 1])
            #expect(results.filter(\.deduplicated).count == 1)
            #expect(log.head == 1)
            #expect(try await log.head(of: "s") == 1)
        }
    }

    @Test func batchWritesOnlyItsNewKeys() async throws {
        try await withLog { log, _ in
            let old = try await log.append([entry("old", streams: ["s"], key: "old")]).entries[0]
            let result = try await log.append([
                entry("old", streams: ["s"], key: "old"),
                entry("new", streams: ["s"], key: "new"),
            ])
            var deduplicated = old
            deduplicated.deduplicated = true
            #expect(result.entries[0] == deduplicated)
            #expect(result.entries[1].deduplicated == false)
            #expect(result.entries[1].offset == 2)
            #expect(result.entries[1].streams == [StreamPosition(stream: "s", seq: 2)])
            let stored = try await allEntries(log)
            #expect(stored.map(\.type) == ["old", "new"])
            #expect(stored.map(\.idempotencyKey) == ["old", "new"])
        }
    }

    @Test func expiredKeysArePrunedAndThenAppendAnew() async throws {
        let clock = TestClock()
        var options = testOptions(clock: clock)
        options.idempotencyRetention = .seconds(60)
        try await withLog(options) { log, _ in
            _ = try await log.append([entry(key: "a")])
            _ = try await log.append([entry(key: "b"), entry(account: 7, key: "a")])
            clock.advance(.seconds(30))
            _ = try await log.append([entry(key: "young")])
            clock.advance(.seconds(31))
            // "a", "b" and account 7's "a" are 61 s old; "young" is 31 s old.
            let report = try await log.prune()
            #expect(report == PruneReport(ephemeralEntries: 0, idempotencyKeys: 3))
            let again = try await log.append([entry(key: "a")])
            #expect(again.entries[0].deduplicated == false)
            #expect(again.entries[0].offset == 5)
            let young = try await log.append([entry(key: "young")])
            #expect(young.entries[0].deduplicated)
            #expect(young.entries[0].offset == 4)
            #expect(try await log.prune() == PruneReport())
            #expect(log.head == 5)
        }
    }

    /// One key names one entry: a key repeated inside one append must not
    /// write two entries, and a retry must return what the original returned.
    @Test func keyRepeatedWithinOneAppendNamesOneEntry() async throws {
        try await withLog { log, _ in
            let batch = [entry("a", key: "k"), entry("b", key: "k")]
            let original: AppendResult
            do {
                original = try await log.append(batch)
            } catch is LogError {
                // Refusing such a batch is as good as writing it once.
                #expect(log.head == 0)
                return
            }
            let retry = try await log.append(batch)
            #expect(retry.entries.map(\.offset) == original.entries.map(\.offset))
            #expect(try await allEntries(log).filter { $0.idempotencyKey == "k" }.count == 1)
        }
    }
}
