import Synchronization
import Testing

@testable import ParleyLog

/// A task that prefers the log's writer thread runs there between groups,
/// appends in order from there, and never hangs once the log is closed.
@Suite struct WriterExecutorTests {
    @Test func aTaskOnTheWriterThreadAppendsInOrderThere() async throws {
        try await withLog { log, _ in
            let appender = Task(executorPreference: log.writerExecutor) { () throws -> (Set<Bool>, [AppendedEntry]) in
                var onWriter: Set<Bool> = []
                var results: [AppendedEntry] = []
                for n in 1...200 {
                    results += try await log.append([entry(streams: ["s"], payload: Array("\(n)".utf8))]).entries
                    onWriter.insert(log.writer.isCurrentThread)
                }
                return (onWriter, results)
            }
            let (onWriter, results) = try await appender.value
            #expect(onWriter == [true])
            // Each was alone, so the writer wrote it with `sync` and answered it itself.
            #expect(log.statistics.syncedWrites == 200)
            #expect(results.map(\.offset) == Array(1...200))
            #expect(results.map(\.streams) == (1...200).map { [StreamPosition(stream: "s", seq: $0)] })
            let stored = try await log.read(stream: "s", after: 0, limit: 500)
            #expect(stored.map { String(decoding: $0.payload, as: UTF8.self) } == (1...200).map(String.init))
        }
    }

    @Test(.timeLimit(.minutes(1))) func aYieldingTaskOnTheWriterThreadDoesNotStarveAppends() async throws {
        try await withLog { log, _ in
            let done = Atomic<Bool>(false)
            let spinner = Task(executorPreference: log.writerExecutor) { () -> Int in
                var turns = 0
                while !done.load(ordering: .relaxed) {
                    turns += 1
                    await Task.yield()
                }
                return turns
            }
            for n in 1...20 {
                let result = try await log.append([entry(streams: ["s"])])
                #expect(result.entries[0].offset == UInt64(n))
            }
            done.store(true, ordering: .relaxed)
            #expect(await spinner.value > 0)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aTaskOnTheWriterThreadOutlivesTheLog() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            let log = try await EventLog.open(at: path, options: testOptions())
            let executor = log.writerExecutor
            let appender = Task(executorPreference: executor) { () throws -> Int in
                var acknowledged = 0
                while true {
                    do {
                        _ = try await log.append([entry(streams: ["s"])])
                        acknowledged += 1
                    } catch LogError.closed {
                        return acknowledged
                    }
                }
            }
            while log.head < 20 { try await Task.sleep(for: .milliseconds(2)) }
            await log.close()
            let acknowledged = try await appender.value
            #expect(acknowledged >= 20)
            // The thread has exited: its jobs now run on the global executor.
            let onWriter = await Task(executorPreference: executor) { log.writer.isCurrentThread }.value
            #expect(!onWriter)

            try await withOpenLog(at: path) { reopened in
                let streamHead = try await reopened.head(of: "s")
                #expect(reopened.head == UInt64(acknowledged))
                #expect(streamHead == UInt64(acknowledged))
            }
        }
    }
}
