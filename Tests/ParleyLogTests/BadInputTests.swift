import Foundation
import Testing

@testable import ParleyLog

/// Invalid appends: each is refused with its own typed error before anything
/// is written, and one bad entry refuses its whole batch.
@Suite struct BadInputTests {
    /// Runs `append` expecting `expected` and checks that the log is still empty.
    private static func refuse(
        _ entries: [NewEntry], expecting: [String: UInt64] = [:], with expected: LogError, code: String,
        options: LogOptions = testOptions(), sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await withLog(options) { log, _ in
            let error = await #expect(throws: expected, sourceLocation: sourceLocation) {
                try await log.append(entries, expecting: expecting)
            }
            #expect(error?.code == code, sourceLocation: sourceLocation)
            #expect(log.head == 0, sourceLocation: sourceLocation)
            let stored = try await log.read(after: 0, limit: 10)
            let streams = try await log.streams(prefix: "", limit: 10)
            #expect(stored.isEmpty, sourceLocation: sourceLocation)
            #expect(streams.isEmpty, sourceLocation: sourceLocation)
        }
    }

    @Test func emptyBatch() async throws {
        try await Self.refuse([], with: .emptyBatch, code: "empty_batch")
    }

    @Test func zeroAccount() async throws {
        try await Self.refuse([entry(account: 0)], with: .invalidAccount(index: 0), code: "invalid_account")
    }

    @Test func badType() async throws {
        try await Self.refuse([entry("")], with: .invalidType(index: 0), code: "invalid_type")
        try await Self.refuse([entry(String(repeating: "t", count: 201))], with: .invalidType(index: 0), code: "invalid_type")
    }

    @Test(arguments: ["", "has space", "nul\u{0}byte", String(repeating: "a", count: 201), "café", "emoji🙂", "slash/name"])
    func invalidStreamName(_ name: String) async throws {
        try await Self.refuse(
            [entry(streams: ["ok", name])], with: .invalidStreamName(name), code: "invalid_stream_name")
    }

    @Test func invalidStreamNameInExpectations() async throws {
        try await Self.refuse(
            [entry(streams: ["ok"])], expecting: ["bad name": 0], with: .invalidStreamName("bad name"),
            code: "invalid_stream_name")
    }

    @Test func longestAndOddStreamNamesAreValid() async throws {
        try await withLog { log, _ in
            let names = [String(repeating: "a", count: 200), "A-z_0.9:@#", "#"]
            let result = try await log.append([entry(streams: names)])
            #expect(result.entries[0].streams.map(\.stream) == names)
            #expect(try await log.read(stream: names[0], after: 0, limit: 1).count == 1)
        }
    }

    @Test func duplicateStream() async throws {
        try await Self.refuse(
            [entry(streams: ["a"]), entry(streams: ["a", "b", "a"])], with: .duplicateStream(index: 1, stream: "a"),
            code: "duplicate_stream")
    }

    @Test func badIdempotencyKey() async throws {
        try await Self.refuse([entry(key: "")], with: .invalidIdempotencyKey(index: 0), code: "invalid_idempotency_key")
        try await Self.refuse(
            [entry(key: String(repeating: "k", count: 201))], with: .invalidIdempotencyKey(index: 0),
            code: "invalid_idempotency_key")
    }

    @Test func entryTooLarge() async throws {
        var options = testOptions()
        options.maxEntryBytes = 1024
        let type = "t"
        let fits = 1024 - EntryCodec.fixedOverhead - type.utf8.count
        try await Self.refuse(
            [entry(type, payload: [UInt8](repeating: 7, count: fits + 1))],
            with: .entryTooLarge(index: 0, size: 1025, limit: 1024), code: "entry_too_large", options: options)
        try await withLog(options) { log, _ in
            let result = try await log.append([entry(type, payload: [UInt8](repeating: 7, count: fits))])
            #expect(result.entries[0].offset == 1)
        }
    }

    @Test func onlyTheThirdEntryIsBadSoNoneIsWritten() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry(streams: ["s"])])
            await #expect(throws: LogError.invalidStreamName("bad name")) {
                try await log.append([
                    entry(streams: ["s"], key: "one"), entry(streams: ["s"], key: "two"),
                    entry(streams: ["bad name"], key: "three"),
                ])
            }
            await #expect(throws: LogError.invalidAccount(index: 2)) {
                try await log.append([entry(streams: ["s"]), entry(streams: ["s"]), entry(account: 0)])
            }
            #expect(log.head == 1)
            #expect(try await log.head(of: "s") == 1)
            // The keys of the refused batch were not stored.
            let retry = try await log.append([entry(streams: ["s"], key: "one")])
            #expect(retry.entries[0].deduplicated == false)
            #expect(retry.entries[0].offset == 2)
        }
    }

    /// 65,536 distinct 3-byte stream names fit well within the default
    /// `maxEntryBytes`, but the format stores the stream count in a `UInt16`.
    /// The append must be refused with a typed error, not crash the process.
    @Test func tooManyStreamsIsRefusedNotACrash() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            // The append runs in a child process, so a crash fails this test instead of the run.
            await #expect(processExitsWith: .success) { [path = path as String] in
                let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                var names: [String] = []
                names.reserveCapacity(65_536)
                outer: for a in alphabet {
                    for b in alphabet {
                        for c in alphabet {
                            names.append(String([a, b, c]))
                            if names.count == 65_536 { break outer }
                        }
                    }
                }
                let log = try await EventLog.open(at: path, options: testOptions())
                let tooMany = NewEntry(type: "t", accountID: 1, streams: names, payload: [])
                precondition(EntryCodec.encodedSize(of: tooMany) < LogOptions().maxEntryBytes)
                do {
                    _ = try await log.append([tooMany])
                    exit(2)  // accepted: the format cannot hold it faithfully
                } catch is LogError {
                    precondition(log.head == 0)
                }
                await log.close()
            }
        }
    }
}

/// The stream-count limit has its own stable error.
@Suite struct StreamCountLimitTests {
    @Test func moreStreamsThanTheLimitIsTooManyStreams() async throws {
        try await withTemporaryDirectory { dir in
            let log = try await EventLog.open(at: dir.sub("log"), options: testOptions())
            let streams = (0...EventLog.maxStreamsPerEntry).map { "s\($0)" }
            await #expect(throws: LogError.tooManyStreams(index: 0, count: streams.count, limit: EventLog.maxStreamsPerEntry)) {
                try await log.append([NewEntry(type: "t", accountID: 1, streams: streams, payload: [])])
            }
            #expect(LogError.tooManyStreams(index: 0, count: 65, limit: 64).code == "too_many_streams")
            #expect(log.head == 0)
            let atLimit = Array(streams.dropLast())
            let result = try await log.append([NewEntry(type: "t", accountID: 1, streams: atLimit, payload: [])])
            #expect(result.entries[0].streams.count == EventLog.maxStreamsPerEntry)
            await log.close()
        }
    }
}
