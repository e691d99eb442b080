import Foundation
import Synchronization
import Testing

@testable import ParleyLog

/// A fresh directory under the system temporary directory, removed when the body ends.
struct TempDirectory: Sendable {
    let path: String

    /// A path inside the directory (not created).
    func sub(_ name: String) -> String { path + "/" + name }
}

func withTemporaryDirectory<T>(_ body: (TempDirectory) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("parley-test-\(UInt64.random(in: 0...UInt64.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(TempDirectory(path: url.path))
}

/// Options for tests: a small cache, and no scheduled pruning to race with explicit `prune()` calls.
func testOptions(clock: TestClock? = nil) -> LogOptions {
    var options = LogOptions()
    options.blockCacheBytes = 4 << 20
    options.readThreads = 2
    options.pruneInterval = .seconds(365 * 24 * 3600)
    if let clock { options.clock = clock.reader }
    return options
}

/// Opens a log at `<fresh temporary directory>/log`, runs `body` and always closes the log.
func withLog<T>(
    _ options: LogOptions = testOptions(), _ body: (EventLog, TempDirectory) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { dir in
        try await withOpenLog(at: dir.sub("log"), options) { log in try await body(log, dir) }
    }
}

/// Opens the log at `path`, runs `body` and always closes the log.
func withOpenLog<T>(
    at path: String, _ options: LogOptions = testOptions(), _ body: (EventLog) async throws -> T
) async throws -> T {
    let log = try await EventLog.open(at: path, options: options)
    do {
        let result = try await body(log)
        await log.close()
        return result
    } catch {
        await log.close()
        throw error
    }
}

/// A clock the test moves by hand (milliseconds since 1970).
final class TestClock: Sendable {
    private let now: Mutex<UInt64>

    init(start: UInt64 = 1_700_000_000_000) {
        now = Mutex(start)
    }

    var millis: UInt64 { now.withLock { $0 } }

    func advance(_ duration: Duration) {
        now.withLock { $0 += duration.milliseconds }
    }

    /// Moves the clock back by `duration`, as a stepped wall clock would.
    func rewind(_ duration: Duration) {
        now.withLock { $0 -= duration.milliseconds }
    }

    var reader: @Sendable () -> UInt64 { { [self] in millis } }
}

/// An entry to append, with defaults for what a test does not care about.
func entry(
    _ type: String = "message.created",
    account: UInt64 = 1,
    streams: [String] = [],
    retention: Retention = .durable,
    key: String? = nil,
    payload: [UInt8] = Array("hello".utf8)
) -> NewEntry {
    NewEntry(
        type: type, accountID: account, streams: streams, retention: retention, idempotencyKey: key,
        payload: payload)
}

/// Every entry of the log, oldest first.
func allEntries(_ log: EventLog) async throws -> [LogEntry] {
    var result: [LogEntry] = []
    var after: UInt64 = 0
    while true {
        let page = try await log.read(after: after, limit: 500)
        guard let last = page.last else { return result }
        result += page
        after = last.offset
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return try await condition()
}

/// Opens the log's RocksDB directly (the log must be closed) and closes it after `body`.
func withRawDatabase<T>(at path: String, _ body: (RocksDatabase) throws -> T) throws -> T {
    let database = try RocksDatabase(path: path, familyNames: Family.all, blockCacheBytes: 1 << 20)
    defer { database.close() }
    return try body(database)
}

/// A value shared between a test and the tasks it starts.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    var value: Value { mutex.withLock { $0 } }

    func update<T>(_ body: (inout Value) -> T) -> T {
        mutex.withLock { body(&$0) }
    }
}

/// Appends `first` as a group of one with `second` already queued behind it,
/// the path on which the syncer, not the writer, completes a lone group: the
/// writer is held in `first`'s decision until `second` is queued.
func appendWithAnotherQueued(_ log: EventLog, first: [NewEntry], second: [NewEntry]) async throws
    -> (first: Result<DecidedAppend, any Error>, second: Result<AppendResult, any Error>)
{
    let deciding = Mutex(false)
    let release = DispatchSemaphore(value: 0)
    let held = Task {
        try await log.append(deciding: { _ in
            deciding.withLock { $0 = true }
            release.wait()
            return .append(first)
        })
    }
    while !deciding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
    let behind = Task { try await log.append(second) }
    while log.writer.queuedAppends == 0 { try await Task.sleep(for: .milliseconds(1)) }
    release.signal()
    return (await held.result, await behind.result)
}

