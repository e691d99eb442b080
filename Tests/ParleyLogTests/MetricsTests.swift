import MetricsTestKit
import Testing

@testable import ParleyLog

/// The log's metrics, read through a `TestMetrics` factory given in the
/// options (the global metrics system is left alone).
@Suite struct MetricsTests {
    @Test func appendsAreCounted() async throws {
        let metrics = TestMetrics()
        var options = testOptions()
        options.metricsFactory = metrics
        try await withLog(options) { log, _ in
            for _ in 0..<10 { _ = try await log.append([entry(streams: ["s"])]) }
            _ = try await log.append((0..<5).map { _ in entry() })
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<15 { group.addTask { _ = try await log.append([entry()]) } }
                try await group.waitForAll()
            }
            // A deduplicated retry and a refused append are not counted.
            _ = try await log.append([entry(key: "k")])
            _ = try await log.append([entry(key: "k")])
            _ = try? await log.append([entry(streams: ["s"])], expecting: ["s": 0])
            let total = 31

            #expect(metrics.counterTotal(label: "parley_log_appended_entries_total") == Int64(total))
            let fsync = try metrics.expectTimer("parley_log_fsync_seconds")
            #expect(!fsync.values.isEmpty)
            #expect(fsync.values.allSatisfy { $0 >= 0 })
            let groups = try metrics.expectRecorder("parley_log_group_entries")
            #expect(groups.values.reduce(0, +) == Double(total))
            #expect(groups.values.count == fsync.values.count)
            #expect(metrics.counterTotal(label: "parley_log_bytes_written_total") > 0)
            #expect(metrics.counterTotal(label: "parley_log_write_errors_total") == 0)
        }
    }

    /// Each group is written alone: the batch the writer reuses holds
    /// nothing of the group before, also after a failed write.
    @Test func eachGroupWritesOnlyItsOwnBytes() async throws {
        let metrics = TestMetrics()
        var options = testOptions()
        options.metricsFactory = metrics
        try await withLog(options) { log, _ in
            func written() -> Int64 { metrics.counterTotal(label: "parley_log_bytes_written_total") }
            _ = try await log.append([entry(streams: ["a"], payload: [1, 2, 3])])
            let first = written()
            _ = try await log.append([entry(streams: ["b"], payload: [4, 5, 6])])
            #expect(written() - first == first)
            log.failNextWrites(1)
            await #expect(throws: LogError.self) { try await log.append([entry(streams: ["c"], payload: [7, 8, 9])]) }
            let beforeLast = written()
            _ = try await log.append([entry(streams: ["d"], payload: [1, 2, 3])])
            #expect(written() - beforeLast == first)
        }
    }

    @Test func failedWritesAreCountedAsErrorsNotAppends() async throws {
        let metrics = TestMetrics()
        var options = testOptions()
        options.metricsFactory = metrics
        try await withLog(options) { log, _ in
            log.failNextWrites(1)
            await #expect(throws: LogError.self) { try await log.append([entry()]) }
            _ = try await log.append([entry(), entry()])
            #expect(metrics.counterTotal(label: "parley_log_write_errors_total") == 1)
            #expect(metrics.counterTotal(label: "parley_log_appended_entries_total") == 2)
            #expect(try metrics.expectRecorder("parley_log_group_entries").values == [2])
        }
    }
}
