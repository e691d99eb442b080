import Testing

@testable import ParleyLog

/// Tails: stored entries then live ones, in order, with no gap and no
/// duplicate while appends race; slow consumers; cancellation; close.
@Suite struct TailTests {
    /// Iterates `tail` until `done` says the last wanted entry came, or the tail ends.
    private static func collect(_ tail: LogTail, until done: @escaping @Sendable (LogEntry) -> Bool) -> Task<[LogEntry], any Error> {
        Task {
            var received: [LogEntry] = []
            for try await entry in tail {
                received.append(entry)
                if done(entry) { break }
            }
            return received
        }
    }

    /// Closes the log if the test has not finished in time, so a lost entry fails the test instead of hanging it.
    private static func watchdog(_ log: EventLog) -> Task<Void, Never> {
        Task {
            guard (try? await Task.sleep(for: .seconds(120))) != nil else { return }
            await log.close()
        }
    }

    @Test func tailsSeeEveryEntryOnceInOrderWhileAppendsRace() async throws {
        try await withLog { log, _ in
            let writers = 4
            let perWriter = 500
            let total = UInt64(writers * perWriter)
            // Writers 0 and 2 write to room:0, 1 and 3 to room:1.
            let perRoom = UInt64(total / 2)
            let watchdog = Self.watchdog(log)
            defer { watchdog.cancel() }

            let fromStart = Self.collect(log.tail(after: 0)) { $0.offset == total }
            let room0 = Self.collect(try log.tail(stream: "room:0", after: 0)) { $0.seq(in: "room:0") == perRoom }

            let appenders = (0..<writers).map { writer in
                Task {
                    for _ in 0..<perWriter {
                        _ = try await log.append([entry(streams: ["room:\(writer % 2)", "all"])])
                    }
                }
            }

            // Tails that start in the middle, while the appends run.
            #expect(await eventually(timeout: .seconds(30)) { log.head >= 400 })
            let fromMiddle = Self.collect(log.tail(after: 250)) { $0.offset == total }
            #expect(await eventually(timeout: .seconds(30)) { log.head >= 1000 })
            let liveStart = log.head
            let fromLive = Self.collect(log.tail(after: liveStart)) { $0.offset == total }
            #expect(try await eventually(timeout: .seconds(30)) { try await log.head(of: "room:1") >= 300 })
            let room1 = Self.collect(try log.tail(stream: "room:1", after: 100)) { $0.seq(in: "room:1") == perRoom }
            #expect(try await eventually(timeout: .seconds(30)) { try await log.head(of: "all") >= 1500 })
            let all = Self.collect(try log.tail(stream: "all", after: 1500)) { $0.seq(in: "all") == total }

            for appender in appenders { try await appender.value }
            #expect(log.head == total)

            #expect(try await fromStart.value.map(\.offset) == Array(1...total))
            #expect(try await fromMiddle.value.map(\.offset) == Array(251...total))
            #expect(try await fromLive.value.map(\.offset) == Array((liveStart + 1)...total))
            #expect(try await room0.value.map { $0.seq(in: "room:0") } == Array(1...perRoom))
            #expect(try await room1.value.map { $0.seq(in: "room:1") } == Array(101...perRoom))
            #expect(try await all.value.map { $0.seq(in: "all") } == Array(1501...total))
            // Tails that ended by breaking out of the loop are released.
            #expect(await eventually { log.activeTails == 0 })
        }
    }

    /// A tail on the whole log started past the head skips entries up to
    /// its position; a tail on a stream must do the same with sequences.
    @Test func tailsStartedPastTheHeadSkipUpToTheirPosition() async throws {
        try await withLog { log, _ in
            let whole = Self.collect(log.tail(after: 2)) { $0.offset == 3 }
            let stream = Self.collect(try log.tail(stream: "s", after: 2)) { $0.seq(in: "s") == 3 }
            #expect(await eventually { log.activeTails == 2 })
            for _ in 0..<3 { _ = try await log.append([entry(streams: ["s"])]) }
            #expect(try await whole.value.map(\.offset) == [3])
            #expect(try await stream.value.map { $0.seq(in: "s") } == [3])
        }
    }

    @Test func storedEntriesComeWithTheirContent() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry("a", streams: ["s"], payload: [1]), entry("b", payload: [2])])
            let received = try await Self.collect(log.tail(after: 0)) { $0.offset == 2 }.value
            #expect(received == (try await log.read(after: 0, limit: 10)))
        }
    }

    @Test func slowTailWithTinyBufferGetsEveryEntryOnce() async throws {
        var options = testOptions()
        options.tailBufferCapacity = 4
        try await withLog(options) { log, _ in
            let watchdog = Self.watchdog(log)
            defer { watchdog.cancel() }
            let batches = 30
            let batchSize = 10
            let total = UInt64(batches * batchSize)
            let slow = { @Sendable (tail: LogTail, last: @escaping @Sendable (LogEntry) -> Bool) in
                Task {
                    var received: [LogEntry] = []
                    for try await entry in tail {
                        received.append(entry)
                        if last(entry) { break }
                        try await Task.sleep(for: .milliseconds(1))
                    }
                    return received
                }
            }
            let whole = slow(log.tail(after: 0)) { $0.offset == total }
            let stream = slow(try log.tail(stream: "s", after: 0)) { $0.seq(in: "s") == total / 2 }
            #expect(await eventually { log.activeTails == 2 })
            for _ in 0..<batches {
                // Each group publishes more entries than the buffer holds.
                let batch = (0..<batchSize).map { index in entry(streams: index % 2 == 0 ? ["s"] : ["t"]) }
                _ = try await log.append(batch)
            }
            #expect(try await whole.value.map(\.offset) == Array(1...total))
            #expect(try await stream.value.map { $0.seq(in: "s") } == Array(1...(total / 2)))
        }
    }

    @Test func cancellingTheTaskFreesTheTail() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry()])
            let received = Locked(0)
            let task = Task {
                for try await _ in log.tail(after: 0) { received.update { $0 += 1 } }
            }
            #expect(await eventually { log.activeTails == 1 && received.value == 1 })
            task.cancel()
            #expect(await eventually { log.activeTails == 0 })
            try await task.value
            // Later appends reach no one and do not block.
            _ = try await log.append([entry()])
            #expect(received.value == 1)
        }
    }

    @Test func cancellingAStreamTailFreesIt() async throws {
        try await withLog { log, _ in
            let task = Task {
                for try await _ in try log.tail(stream: "s", after: 0) {}
            }
            #expect(await eventually { log.activeTails == 1 })
            task.cancel()
            #expect(await eventually { log.activeTails == 0 })
            try await task.value
        }
    }

    @Test func closingTheLogEndsActiveTails() async throws {
        try await withTemporaryDirectory { dir in
            let log = try await EventLog.open(at: dir.sub("log"), options: testOptions())
            _ = try await log.append([entry(streams: ["s"])])
            let seen = Locked<[String: [UInt64]]>([:])
            let tails = [("whole", log.tail(after: 0)), ("stream", try log.tail(stream: "s", after: 0))].map { name, tail in
                Task {
                    for try await entry in tail { seen.update { $0[name, default: []].append(entry.offset) } }
                    return name
                }
            }
            #expect(await eventually { log.activeTails == 2 })
            _ = try await log.append([entry(streams: ["s"])])
            #expect(await eventually { seen.value == ["whole": [1, 2], "stream": [1, 2]] })
            await log.close()
            // Each iteration returned nil.
            #expect(try await tails[0].value == "whole")
            #expect(try await tails[1].value == "stream")
            #expect(log.activeTails == 0)
            await #expect(throws: LogError.closed) { try await log.append([entry()]) }
        }
    }
}
