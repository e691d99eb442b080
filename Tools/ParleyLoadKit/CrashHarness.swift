import Foundation
import ParleyLog
import Synchronization

/// Kills a real appending process with SIGKILL at a random moment, reopens
/// its directory and checks that nothing acknowledged was lost, nothing is
/// torn, and retries still deduplicate. Cycles accumulate in one directory, so
/// later cycles also recover earlier crashes' logs.
///
/// A killed process leaves the OS page cache behind, so this proves recovery
/// and atomicity after a process crash; that acknowledgements wait for the
/// fsync is tested in `SyncFailureTests`.
public struct CrashHarness: Sendable {
    public struct Report: Codable, Sendable, Equatable {
        public var cycles = 0
        /// Entries whose append the child saw acknowledged.
        public var acked = 0
        /// Acknowledged entries missing or not byte-identical after the restart.
        public var lost = 0
        /// Undecodable values, holes, stream index disagreements, and appends
        /// that landed in part.
        public var torn = 0
        /// Acknowledged entries whose retry appended again instead of returning the original.
        public var notDeduplicated = 0
        /// Entries in the log after the last cycle.
        public var entries = 0

        enum CodingKeys: String, CodingKey {
            case cycles, acked, lost, torn, entries
            case notDeduplicated = "not_deduplicated"
        }
    }

    public var childExecutable: String
    public var appenders: Int
    /// Time the child appends before the kill, drawn uniformly.
    public var killAfter: ClosedRange<Duration>

    public init(childExecutable: String, appenders: Int = 16, killAfter: ClosedRange<Duration> = .milliseconds(150) ... .milliseconds(900)) {
        self.childExecutable = childExecutable
        self.appenders = appenders
        self.killAfter = killAfter
    }

    public func run(cycles: Int, directory: String) async throws -> Report {
        var report = Report()
        for cycle in 1...cycles {
            let acks = try await crashChild(cycle: cycle, directory: directory)
            let log = try await EventLog.open(at: directory)
            do {
                try await check(acks, in: log, report: &report)
                report.entries = try await log.verify().entries
                report.cycles += 1
            } catch {
                await log.close()
                throw error
            }
            await log.close()
        }
        return report
    }

    // MARK: The child

    /// Runs the child until a random moment after it is ready, kills it and
    /// returns the appends it acknowledged.
    private func crashChild(cycle: Int, directory: String) async throws -> [CrashWorkload.Ack] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: childExecutable)
        process.arguments = [
            "crash-child", "--data", directory, "--appenders", "\(appenders)", "--cycle", "\(cycle)",
        ]
        let output = Pipe.privateToChild()
        process.standardOutput = output
        let collected = Collected()
        try process.run()
        let reader = Thread {
            let handle = output.fileHandleForReading
            while let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                collected.append(chunk)
            }
            collected.finish()
        }
        reader.start()

        let deadline = ContinuousClock.now + .seconds(60)
        while !collected.text.hasPrefix("ready\n") {
            guard process.isRunning, ContinuousClock.now < deadline else {
                process.terminate()
                throw HarnessError.childFailed("crash child did not start (exit \(process.isRunning ? -1 : process.terminationStatus))")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let delay = Int64.random(in: killAfter.lowerBound.milliseconds...killAfter.upperBound.milliseconds)
        try await Task.sleep(for: .milliseconds(delay))
        guard process.isRunning else {
            throw HarnessError.childFailed("crash child exited early with status \(process.terminationStatus)")
        }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning || !collected.isFinished {
            try await Task.sleep(for: .milliseconds(5))
        }
        guard process.terminationReason == .uncaughtSignal, process.terminationStatus == SIGKILL else {
            throw HarnessError.childFailed("crash child ended with status \(process.terminationStatus), not SIGKILL")
        }
        // A line cut by the kill has no newline and was never fully reported: ignore it.
        let text = collected.text
        let complete = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        return complete.dropFirst().compactMap { CrashWorkload.Ack(line: $0) }
    }

    // MARK: The checks

    private func check(_ acks: [CrashWorkload.Ack], in log: EventLog, report: inout Report) async throws {
        let verification = try await log.verify(allowPrunedGaps: false)
        report.torn += verification.undecodable + verification.holes + verification.indexMismatches
            + verification.clockRegressions
        let stored = try await everyEntry(in: log)
        report.torn += Self.partialAppends(in: stored.values)

        for ack in acks {
            let expected = CrashWorkload.entries(cycle: ack.cycle, appender: ack.appender, n: ack.n)
            report.acked += expected.count
            report.lost += abs(expected.count - ack.offsets.count)
            for (entry, offset) in zip(expected, ack.offsets) {
                guard let found = stored[offset], Self.matches(found, entry) else {
                    report.lost += 1
                    continue
                }
            }
        }

        let headBefore = log.head
        report.notDeduplicated += try await withThrowingTaskGroup(of: Int.self) { group in
            for slice in stride(from: 0, to: acks.count, by: max(1, acks.count / 16 + 1)).map({ acks[$0..<min(acks.count, $0 + acks.count / 16 + 1)] }) {
                group.addTask {
                    var failures = 0
                    for ack in slice {
                        let retry = try await log.append(CrashWorkload.entries(cycle: ack.cycle, appender: ack.appender, n: ack.n))
                        for (result, offset) in zip(retry.entries, ack.offsets) where !result.deduplicated || result.offset != offset {
                            failures += 1
                        }
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
        if log.head != headBefore { report.notDeduplicated += Int(log.head - headBefore) }
    }

    /// Every entry of the log by offset.
    private func everyEntry(in log: EventLog) async throws -> [UInt64: LogEntry] {
        var entries: [UInt64: LogEntry] = [:]
        var after: UInt64 = 0
        while true {
            let page = try await log.read(after: after, limit: 4096)
            guard let last = page.last else { return entries }
            for entry in page { entries[entry.offset] = entry }
            after = last.offset
        }
    }

    /// Two-entry appends of which only one entry is in the log.
    private static func partialAppends(in entries: some Sequence<LogEntry>) -> Int {
        var keys: [String: Int] = [:]
        for entry in entries {
            guard let key = entry.idempotencyKey, let split = key.range(of: "-k", options: .backwards) else { continue }
            keys[String(key[..<split.lowerBound]), default: 0] += 1
        }
        return keys.filter { key, count in
            let n = Int(key.split(separator: "-").last!.dropFirst()) ?? 0
            return count != (n % 10 == 9 ? 2 : 1)
        }.count
    }

    private static func matches(_ stored: LogEntry, _ entry: NewEntry) -> Bool {
        stored.type == entry.type && stored.accountID == entry.accountID && stored.retention == entry.retention
            && stored.idempotencyKey == entry.idempotencyKey && stored.payload == entry.payload
            && stored.streams.map(\.stream) == entry.streams
            && stored.streams.allSatisfy { ($0.seq != nil) == (entry.retention == .durable) }
    }
}

public enum HarnessError: Error, CustomStringConvertible {
    case childFailed(String)

    public var description: String {
        switch self {
        case .childFailed(let reason): reason
        }
    }
}

/// Bytes read from the child so far.
private final class Collected: Sendable {
    private let state = Mutex((bytes: [UInt8](), finished: false))

    func append(_ data: Data) {
        state.withLock { $0.bytes.append(contentsOf: data) }
    }

    func finish() {
        state.withLock { $0.finished = true }
    }

    var isFinished: Bool { state.withLock { $0.finished } }
    var text: String { state.withLock { String(decoding: $0.bytes, as: UTF8.self) } }
}
