import Testing

@testable import ParleyLog

/// Appending: contiguous offsets from 1, per-stream sequences from 1, atomic
/// batches, non-decreasing timestamps, heads, and byte-exact payloads.
@Suite struct AppendTests {
    @Test func offsetsAndStreamSequencesStartAtOneAndAreContiguous() async throws {
        try await withLog { log, _ in
            let plan: [[String]] = [["a"], ["b"], ["a", "b"], [], ["a"], ["c", "a"]]
            var results: [AppendedEntry] = []
            for streams in plan {
                let result = try await log.append([entry(streams: streams)])
                #expect(result.entries.count == 1)
                results.append(result.entries[0])
            }
            #expect(results.map(\.offset) == [1, 2, 3, 4, 5, 6])
            #expect(results.allSatisfy { !$0.deduplicated })
            #expect(results[0].streams == [StreamPosition(stream: "a", seq: 1)])
            #expect(results[1].streams == [StreamPosition(stream: "b", seq: 1)])
            #expect(results[2].streams == [StreamPosition(stream: "a", seq: 2), StreamPosition(stream: "b", seq: 2)])
            #expect(results[3].streams == [])
            #expect(results[4].streams == [StreamPosition(stream: "a", seq: 3)])
            #expect(results[5].streams == [StreamPosition(stream: "c", seq: 1), StreamPosition(stream: "a", seq: 4)])

            #expect(log.head == 6)
            #expect(try await log.head(of: "a") == 4)
            #expect(try await log.head(of: "b") == 2)
            #expect(try await log.head(of: "c") == 1)
            #expect(try await log.head(of: "never") == 0)

            let stored = try await allEntries(log)
            #expect(stored.map(\.offset) == [1, 2, 3, 4, 5, 6])
            #expect(stored.map(\.streams) == results.map(\.streams))
            #expect(stored.map(\.timestamp) == results.map(\.timestamp))
        }
    }

    @Test func concurrentAppendsGetContiguousOffsetsAndSequences() async throws {
        try await withLog { log, _ in
            let results = try await withThrowingTaskGroup(of: AppendedEntry.self) { group in
                for index in 0..<40 {
                    group.addTask { try await log.append([entry(streams: ["s\(index % 2)"])]).entries[0] }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.map(\.offset).sorted() == Array(1...40))
            for stream in ["s0", "s1"] {
                let seqs = results.compactMap { $0.streams.first { $0.stream == stream }?.seq }
                #expect(seqs.sorted() == Array(1...20))
            }
            // In offset order, each stream's sequences rise with the offsets and timestamps never fall.
            let stored = try await allEntries(log)
            for stream in ["s0", "s1"] {
                #expect(stored.compactMap { $0.seq(in: stream) } == Array(1...20))
            }
            #expect(zip(stored, stored.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        }
    }

    @Test func batchIsOneAtomicAppendWithConsecutiveOffsets() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry(streams: ["x"])])
            let batch = [
                entry("a", streams: ["x"]), entry("b", streams: ["y"]), entry("c", streams: ["x", "y"]),
                entry("d", streams: []),
            ]
            let result = try await log.append(batch)
            #expect(result.entries.map(\.offset) == [2, 3, 4, 5])
            #expect(result.entries.map(\.streams) == [
                [StreamPosition(stream: "x", seq: 2)],
                [StreamPosition(stream: "y", seq: 1)],
                [StreamPosition(stream: "x", seq: 3), StreamPosition(stream: "y", seq: 2)],
                [],
            ])
            // One group: one timestamp.
            #expect(Set(result.entries.map(\.timestamp)).count == 1)
            let stored = try await log.read(after: 1, limit: 10)
            #expect(stored.map(\.type) == ["a", "b", "c", "d"])
            #expect(log.head == 5)
        }
    }

    @Test func timestampsNeverDecrease() async throws {
        try await withLog { log, _ in
            var previous: UInt64 = 0
            for _ in 0..<20 {
                let stamp = try await log.append([entry()]).entries[0].timestamp
                #expect(stamp >= previous)
                previous = stamp
            }
        }
    }

    @Test func timestampsNeverDecreaseWhenTheClockGoesBack() async throws {
        let clock = TestClock()
        try await withLog(testOptions(clock: clock)) { log, _ in
            clock.advance(.seconds(100))
            let first = try await log.append([entry()]).entries[0].timestamp
            #expect(first == clock.millis)
            // A wall clock stepping back must not move the log's clock back.
            clock.rewind(.seconds(50))
            let second = try await log.append([entry()]).entries[0].timestamp
            #expect(second == first)
            clock.advance(.seconds(51))
            let third = try await log.append([entry()]).entries[0].timestamp
            #expect(third == first + 1_000)
        }
    }

    @Test func entryWithoutStreamsIsStoredAsIs() async throws {
        try await withLog { log, _ in
            let new = NewEntry(
                type: "account.updated", accountID: 42, streams: [], retention: .durable, idempotencyKey: nil,
                payload: [1, 2, 3])
            let result = try await log.append([new])
            #expect(result.entries[0].streams.isEmpty)
            let stored = try #require(try await log.read(after: 0, limit: 1).first)
            #expect(stored == LogEntry(
                offset: 1, timestamp: result.entries[0].timestamp, type: "account.updated", accountID: 42,
                streams: [], retention: .durable, idempotencyKey: nil, payload: [1, 2, 3]))
        }
    }

    @Test func payloadsRoundTripByteIdentical() async throws {
        try await withLog { log, _ in
            let stream = "conversation:1:1"
            let type = "blob"
            let overhead = EntryCodec.fixedOverhead + type.utf8.count + (1 + stream.utf8.count + 8)
            var generator = SystemRandomNumberGenerator()
            let large = (0..<(LogOptions().maxEntryBytes - overhead)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let allBytes = (0...255).map(UInt8.init)
            let payloads: [[UInt8]] = [[], [0], allBytes, large]
            for payload in payloads {
                _ = try await log.append([entry(type, streams: [stream], payload: payload)])
            }
            let stored = try await log.read(after: 0, limit: 10)
            #expect(stored.count == 4)
            #expect(stored.map(\.payload) == payloads)
            let byStream = try await log.read(stream: stream, after: 0, limit: 10)
            #expect(byStream.map(\.payload) == payloads)
            // One byte more than that is refused.
            let tooLarge = entry(type, streams: [stream], payload: large + [0])
            await #expect(throws: LogError.entryTooLarge(
                index: 0, size: LogOptions().maxEntryBytes + 1, limit: LogOptions().maxEntryBytes)) {
                try await log.append([tooLarge])
            }
        }
    }
}
