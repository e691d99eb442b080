import Testing

@testable import ParleyLog

/// Optimistic concurrency: `append(_:expecting:)` lands only when every named
/// stream is at the expected sequence, and otherwise writes nothing.
@Suite struct ExpectedVersionTests {
    @Test func emptyStreamIsAtZero() async throws {
        try await withLog { log, _ in
            let result = try await log.append([entry(streams: ["s"])], expecting: ["s": 0])
            #expect(result.entries[0].streams == [StreamPosition(stream: "s", seq: 1)])
        }
    }

    @Test func matchingVersionSucceeds() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry(streams: ["s"]), entry(streams: ["s"])])
            let result = try await log.append([entry(streams: ["s", "t"])], expecting: ["s": 2, "t": 0])
            #expect(result.entries[0].offset == 3)
            #expect(result.entries[0].streams == [StreamPosition(stream: "s", seq: 3), StreamPosition(stream: "t", seq: 1)])
        }
    }

    @Test func mismatchThrowsConflictWithCurrentAndWritesNothing() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry(streams: ["s"]), entry(streams: ["s"]), entry(streams: ["s"])])
            let error = await #expect(throws: LogError.versionConflict(stream: "s", expected: 1, current: 3)) {
                try await log.append([entry(streams: ["s"])], expecting: ["s": 1])
            }
            #expect(error?.code == "version_conflict")
            await #expect(throws: LogError.versionConflict(stream: "empty", expected: 5, current: 0)) {
                try await log.append([entry(streams: ["empty"])], expecting: ["empty": 5])
            }
            #expect(log.head == 3)
            #expect(try await log.head(of: "s") == 3)
            #expect(try await log.head(of: "empty") == 0)
            #expect(try await log.read(after: 3, limit: 10).isEmpty)
            // The next append takes the next offset and sequence.
            let next = try await log.append([entry(streams: ["s"])], expecting: ["s": 3])
            #expect(next.entries[0].offset == 4)
            #expect(next.entries[0].streams == [StreamPosition(stream: "s", seq: 4)])
        }
    }

    @Test func expectationOnAnotherStreamGuardsTheAppend() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry(streams: ["lock"])])
            // The entry does not belong to "lock", yet the expectation still decides.
            await #expect(throws: LogError.versionConflict(stream: "lock", expected: 0, current: 1)) {
                try await log.append([entry(streams: ["data"])], expecting: ["lock": 0])
            }
            #expect(try await log.head(of: "data") == 0)
            let ok = try await log.append([entry(streams: ["data"])], expecting: ["lock": 1])
            #expect(ok.entries[0].offset == 2)
        }
    }

    @Test func onlyOneOfConcurrentConditionalAppendsWins() async throws {
        try await withLog { log, _ in
            let outcomes = await withTaskGroup(of: Result<AppendResult, LogError>.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            return .success(try await log.append([entry(streams: ["s"])], expecting: ["s": 0]))
                        } catch let error as LogError {
                            return .failure(error)
                        } catch {
                            return .failure(.storage("\(error)"))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let wins = outcomes.compactMap { try? $0.get() }
            #expect(wins.count == 1)
            #expect(wins.first?.entries[0].offset == 1)
            for outcome in outcomes {
                if case .failure(let error) = outcome {
                    #expect(error == .versionConflict(stream: "s", expected: 0, current: 1))
                }
            }
            #expect(log.head == 1)
        }
    }
}
