import Testing

@testable import ParleyLog

/// Appends decided on the writer thread: against current state, in log
/// order, with the decision's own errors passed through and retries answered
/// with the original entries.
@Suite struct DecidedAppendTests {
    struct Refused: Error, Equatable {
        var reason: String
    }

    /// A decision like a command's: dedupe by key first, else two entries, the first keyed.
    static func command(key: String, payload: String) -> @Sendable (DecisionContext) throws -> Decision {
        { context in
            if let original = try context.originalAppend(account: 1, key: key) { return .alreadyAppended(original) }
            return .append([
                entry(streams: ["conversation:1:1"], key: key, payload: Array(payload.utf8)),
                entry("activity", streams: ["conversation:1:1"], payload: Array("\(context.timestamp)".utf8)),
            ])
        }
    }

    @Test func decidedEntriesAreStoredAndReturned() async throws {
        let clock = TestClock()
        try await withLog(testOptions(clock: clock)) { log, _ in
            let decided = try await log.append(deciding: Self.command(key: "k1", payload: "hello"))
            #expect(decided.deduplicated == false)
            #expect(decided.entries.map(\.offset) == [1, 2])
            #expect(decided.entries[0].payload == Array("hello".utf8))
            #expect(decided.entries[1].payload == Array("\(clock.millis)".utf8))
            #expect(decided.entries.map { $0.seq(in: "conversation:1:1") } == [1, 2])
            #expect(try await log.read(after: 0, limit: 10) == decided.entries)
        }
    }

    @Test func aRetriedRequestGetsItsOriginalEntriesAlsoAfterReopen() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            let first = try await withOpenLog(at: path) { log in
                let first = try await log.append(deciding: Self.command(key: "k", payload: "one"))
                let retry = try await log.append(deciding: Self.command(key: "k", payload: "changed"))
                #expect(retry.deduplicated)
                #expect(retry.entries == first.entries)
                #expect(log.head == 2)
                return first
            }
            try await withOpenLog(at: path) { log in
                let retry = try await log.append(deciding: Self.command(key: "k", payload: "again"))
                #expect(retry.deduplicated)
                #expect(retry.entries == first.entries)
                #expect(log.head == 2)
            }
        }
    }

    @Test func concurrentRetriesAppendOnce() async throws {
        try await withLog { log, _ in
            let results = try await withThrowingTaskGroup(of: DecidedAppend.self) { group in
                for _ in 0..<8 { group.addTask { try await log.append(deciding: Self.command(key: "same", payload: "x")) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { !$0.deduplicated }.count == 1)
            #expect(Set(results.map(\.entries)).count == 1)
            #expect(log.head == 2)
        }
    }

    @Test func aDecisionsErrorReachesTheCallerAndNothingIsAppended() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry()])
            await #expect(throws: Refused(reason: "no")) {
                try await log.append(deciding: { _ in throw Refused(reason: "no") })
            }
            let nothing = try await log.append(deciding: { _ in .nothing })
            #expect(nothing.entries.isEmpty)
            #expect(log.head == 1)
            let next = try await log.append([entry()])
            #expect(next.entries[0].offset == 2)
        }
    }

    @Test func decidedEntriesAreCheckedLikeAnyOther() async throws {
        try await withLog { log, _ in
            await #expect(throws: LogError.invalidStreamName("bad stream")) {
                try await log.append(deciding: { _ in .append([entry(streams: ["bad stream"])]) })
            }
            await #expect(throws: LogError.emptyBatch) {
                try await log.append(deciding: { _ in .append([]) })
            }
            #expect(log.head == 0)
        }
    }
}
