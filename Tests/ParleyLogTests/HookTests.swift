import Synchronization
import Testing

@testable import ParleyLog

/// Keeps a per-type count in the `proj` family, refuses entries of type
/// "reject", and records what it saw.
final class CountingHook: AppendHook {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "type reject is not allowed" }
    }

    struct State {
        var staged: [[UInt64]] = []
        var finished: [Bool] = []
        var errors: [LogError] = []
    }

    let state = Mutex(State())
    /// Family names the hook also tries to write, to see them refused.
    let probeFamilies: [String]

    init(probeFamilies: [String] = []) {
        self.probeFamilies = probeFamilies
    }

    static func countKey(_ type: String) -> [UInt8] { Array("count:\(type)".utf8) }

    func stage(_ entries: [LogEntry], into context: inout AppendContext) throws {
        state.withLock { $0.staged.append(entries.map(\.offset)) }
        for name in probeFamilies {
            do {
                try context.put(family: name, key: [1], value: [1])
            } catch {
                state.withLock { $0.errors.append(error) }
                throw error
            }
        }
        if entries.contains(where: { $0.type == "reject" }) { throw Refused() }
        var counts: [String: UInt64] = [:]
        for entry in entries {
            if counts[entry.type] == nil {
                let stored = try context.value(family: "proj", key: Self.countKey(entry.type))
                counts[entry.type] = stored.flatMap { UInt64(bigEndianBytes: $0) } ?? 0
            }
            counts[entry.type]! += 1
            try context.put(family: "proj", key: Keys.offset(entry.offset), value: Array(entry.type.utf8))
        }
        for (type, count) in counts {
            try context.put(family: "proj", key: Self.countKey(type), value: Keys.offset(count))
        }
    }

    func groupFinished(committed: Bool) {
        state.withLock { $0.finished.append(committed) }
    }
}

/// The append hook: its writes commit atomically with the entries, a
/// refusal rejects only its own append, and it hears each group's fate.
@Suite struct HookTests {
    private static func options(_ hook: CountingHook) -> LogOptions {
        var options = testOptions()
        options.extraFamilies = ["proj"]
        options.hook = hook
        return options
    }

    private static func projection(_ log: EventLog, _ key: [UInt8]) throws -> [UInt8]? {
        try log.database.get(log.database.family("proj")!, key: key)
    }

    @Test func stagedWritesAreCommittedWithTheEntries() async throws {
        let hook = CountingHook()
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            try await withOpenLog(at: path, Self.options(hook)) { log in
                _ = try await log.append([entry("a"), entry("b")])
                _ = try await log.append([entry("a")])
                #expect(try Self.projection(log, Keys.offset(1)) == Array("a".utf8))
                #expect(try Self.projection(log, Keys.offset(2)) == Array("b".utf8))
                #expect(try Self.projection(log, Keys.offset(3)) == Array("a".utf8))
                #expect(try Self.projection(log, CountingHook.countKey("a")) == Keys.offset(2))
            }
            #expect(hook.state.withLock { $0.staged } == [[1, 2], [3]])
            #expect(hook.state.withLock { $0.finished } == [true, true])
            // The projection is durable: it is there after a reopen.
            try await withOpenLog(at: path, Self.options(CountingHook())) { log in
                #expect(try Self.projection(log, CountingHook.countKey("a")) == Keys.offset(2))
                #expect(try Self.projection(log, CountingHook.countKey("b")) == Keys.offset(1))
                _ = try await log.append([entry("b")])
                #expect(try Self.projection(log, CountingHook.countKey("b")) == Keys.offset(2))
            }
        }
    }

    @Test func refusalRejectsOnlyThatAppend() async throws {
        let hook = CountingHook()
        try await withLog(Self.options(hook)) { log, _ in
            _ = try await log.append([entry("a", streams: ["s"])])
            let error = await #expect(throws: LogError.rejectedByHook("type reject is not allowed")) {
                try await log.append([entry("a", streams: ["s"]), entry("reject", streams: ["s"])])
            }
            #expect(error?.code == "rejected_by_hook")
            #expect(log.head == 1)
            #expect(try await log.head(of: "s") == 1)
            #expect(try Self.projection(log, Keys.offset(2)) == nil)
            #expect(try Self.projection(log, CountingHook.countKey("a")) == Keys.offset(1))
            #expect(try Self.projection(log, CountingHook.countKey("reject")) == nil)

            let next = try await log.append([entry("a", streams: ["s"])])
            #expect(next.entries[0].offset == 2)
            #expect(next.entries[0].streams == [StreamPosition(stream: "s", seq: 2)])
            #expect(try Self.projection(log, Keys.offset(2)) == Array("a".utf8))
            #expect(try await log.verify(allowPrunedGaps: false).isConsistent)
        }
    }

    @Test func refusalInsideAGroupLeavesTheOtherAppends() async throws {
        let hook = CountingHook()
        try await withLog(Self.options(hook)) { log, _ in
            let outcomes = await withTaskGroup(of: (Int, Result<AppendResult, any Error>).self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let type = index % 3 == 1 ? "reject" : "t\(index)"
                        do {
                            return (index, .success(try await log.append([entry(type, streams: ["s"])])))
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            var offsets: [UInt64] = []
            for (index, outcome) in outcomes {
                switch outcome {
                case .success(let result):
                    #expect(index % 3 != 1)
                    offsets.append(result.entries[0].offset)
                case .failure(let error):
                    #expect(index % 3 == 1)
                    #expect(error as? LogError == .rejectedByHook("type reject is not allowed"))
                }
            }
            #expect(offsets.sorted() == Array(1...8))
            let stored = try await allEntries(log)
            #expect(stored.map(\.offset) == Array(1...8))
            #expect(!stored.contains { $0.type == "reject" })
            #expect(stored.compactMap { $0.seq(in: "s") } == Array(1...8))
            for stored in stored {
                #expect(try Self.projection(log, Keys.offset(stored.offset)) == Array(stored.type.utf8))
            }
            #expect(try Self.projection(log, Keys.offset(9)) == nil)
            let finished = hook.state.withLock { $0.finished }
            #expect(!finished.isEmpty)
            #expect(finished.allSatisfy { $0 })
        }
    }

    @Test func writingToAnUnknownOrOwnFamilyThrows() async throws {
        for family in ["nope", "log", "meta"] {
            let hook = CountingHook(probeFamilies: [family])
            try await withLog(Self.options(hook)) { log, _ in
                await #expect(throws: LogError.rejectedByHook("unknown column family \(family)")) {
                    try await log.append([entry("a")])
                }
                #expect(hook.state.withLock { $0.errors } == [.invalidArgument("unknown column family \(family)")])
                #expect(log.head == 0)
            }
        }
    }
}
