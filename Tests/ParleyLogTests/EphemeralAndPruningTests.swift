import Testing

@testable import ParleyLog

/// Ephemeral entries: an offset but no stream sequence, delivered live,
/// pruned after their retention except the newest entry of the log, and
/// offsets are never reused.
@Suite struct EphemeralAndPruningTests {
    private static func options(_ clock: TestClock) -> LogOptions {
        var options = testOptions(clock: clock)
        options.ephemeralRetention = .seconds(10)
        return options
    }

    @Test func ephemeralEntriesHaveOffsetsButNoSequence() async throws {
        try await withLog(Self.options(TestClock())) { log, _ in
            let durable = try await log.append([entry("message", streams: ["s"])])
            let typing = try await log.append([entry("typing", streams: ["s", "u"], retention: .ephemeral)])
            let next = try await log.append([entry("message", streams: ["s"])])
            #expect(durable.entries[0].offset == 1)
            #expect(typing.entries[0].offset == 2)
            #expect(typing.entries[0].streams == [StreamPosition(stream: "s", seq: nil), StreamPosition(stream: "u", seq: nil)])
            #expect(next.entries[0].streams == [StreamPosition(stream: "s", seq: 2)])
            #expect(try await log.head(of: "s") == 2)
            #expect(try await log.head(of: "u") == 0)
            #expect(try await log.read(stream: "s", after: 0, limit: 10).map(\.offset) == [1, 3])
            #expect(try await log.read(stream: "s", before: nil, limit: 10).map(\.offset) == [3, 1])
            #expect(try await log.read(stream: "u", after: 0, limit: 10).isEmpty)
            #expect(try await log.streams(prefix: "", limit: 10) == [StreamHead(stream: "s", seq: 2)])
            let stored = try await log.read(after: 1, limit: 1)
            #expect(stored.first?.retention == .ephemeral)
            #expect(stored.first?.seq(in: "s") == nil)
        }
    }

    @Test func ephemeralEntriesAreDeliveredLive() async throws {
        try await withLog(Self.options(TestClock())) { log, _ in
            _ = try await log.append([entry("message", streams: ["s"])])
            let whole = Locked<[String]>([])
            let stream = Locked<[String]>([])
            let wholeTask = Task {
                for try await entry in log.tail(after: 0) {
                    whole.update { $0.append(entry.type) }
                    if entry.type == "end" { break }
                }
            }
            let streamTask = Task {
                for try await entry in try log.tail(stream: "s", after: 0) {
                    stream.update { $0.append(entry.type) }
                    if entry.type == "end" { break }
                }
            }
            // Both tails have caught up and are live.
            #expect(await eventually { whole.value.count == 1 && stream.value.count == 1 })
            _ = try await log.append([entry("typing", streams: ["s"], retention: .ephemeral)])
            _ = try await log.append([entry("typing-elsewhere", streams: ["t"], retention: .ephemeral)])
            _ = try await log.append([entry("end", streams: ["s"])])
            try await wholeTask.value
            try await streamTask.value
            #expect(whole.value == ["message", "typing", "typing-elsewhere", "end"])
            #expect(stream.value == ["message", "typing", "end"])
        }
    }

    @Test func pruneRemovesExpiredEphemeralEntriesButNeverTheNewest() async throws {
        let clock = TestClock()
        try await withLog(Self.options(clock)) { log, _ in
            _ = try await log.append([entry("d1", streams: ["s"])])
            _ = try await log.append([entry("e2", streams: ["s"], retention: .ephemeral)])
            _ = try await log.append([entry("e3", retention: .ephemeral), entry("d4", streams: ["s"])])
            _ = try await log.append([entry("e5", streams: ["s"], retention: .ephemeral)])
            // Not yet expired.
            clock.advance(.seconds(5))
            #expect(try await log.prune() == PruneReport())
            clock.advance(.seconds(6))
            // e2 and e3 go; e5 is the newest entry of the log and stays.
            #expect(try await log.prune() == PruneReport(ephemeralEntries: 2, idempotencyKeys: 0))
            #expect(try await allEntries(log).map(\.type) == ["d1", "d4", "e5"])
            #expect(log.head == 5)
            let report = try await log.verify()
            #expect(report.isConsistent)
            #expect(report.entries == 3)
            #expect(try await log.verify(allowPrunedGaps: false).holes == 2)
            #expect(try await log.read(stream: "s", after: 0, limit: 10).map(\.type) == ["d1", "d4"])

            // Once it is no longer the newest, e5 goes too.
            let next = try await log.append([entry("d6", streams: ["s"])])
            #expect(next.entries[0].offset == 6)
            #expect(next.entries[0].streams == [StreamPosition(stream: "s", seq: 3)])
            #expect(try await log.prune() == PruneReport(ephemeralEntries: 1, idempotencyKeys: 0))
            #expect(try await allEntries(log).map(\.offset) == [1, 4, 6])
            #expect(try await log.verify().isConsistent)
        }
    }

    @Test func offsetsAreNotReusedAfterPruningAndReopen() async throws {
        let clock = TestClock()
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            try await withOpenLog(at: path, Self.options(clock)) { log in
                _ = try await log.append([entry("d1")])
                _ = try await log.append([entry("e2", retention: .ephemeral)])
                _ = try await log.append([entry("e3", retention: .ephemeral)])
                clock.advance(.seconds(11))
                #expect(try await log.prune() == PruneReport(ephemeralEntries: 1, idempotencyKeys: 0))
                #expect(try await log.read(after: 0, limit: 10).map(\.offset) == [1, 3])
            }
            try await withOpenLog(at: path, Self.options(clock)) { log in
                #expect(log.head == 3)
                let next = try await log.append([entry("e4", retention: .ephemeral)])
                #expect(next.entries[0].offset == 4)
                clock.advance(.seconds(11))
                #expect(try await log.prune() == PruneReport(ephemeralEntries: 1, idempotencyKeys: 0))
                #expect(try await log.read(after: 0, limit: 10).map(\.offset) == [1, 4])
                #expect(try await log.verify().isConsistent)
            }
            try await withOpenLog(at: path, Self.options(clock)) { log in
                #expect(log.head == 4)
                let next = try await log.append([entry("d5")])
                #expect(next.entries[0].offset == 5)
                // The clock never goes below the newest entry's.
                let newest = try #require(try await log.read(limit: 2).last)
                #expect(next.entries[0].timestamp >= newest.timestamp)
            }
        }
    }

    /// Scheduled pruning does not wait for the writer to be idle: a task
    /// appending without pause from the writer's thread leaves it never idle.
    @Test(.timeLimit(.minutes(1))) func scheduledPruningRunsWhileTheWriterIsNeverIdle() async throws {
        let clock = TestClock()
        var options = Self.options(clock)
        options.pruneInterval = .seconds(60)
        try await withLog(options) { log, _ in
            _ = try await log.append([entry("typing", streams: ["u"], retention: .ephemeral)])
            clock.advance(.seconds(120))
            try await Task(executorPreference: log.writerExecutor) {
                for _ in 0..<50 { _ = try await log.append([entry("message", streams: ["s"])]) }
            }.value
            #expect(try await log.read(after: 0, limit: 1).first?.offset == 2)
        }
    }
}

