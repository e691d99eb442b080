import Testing

@testable import ParleyLog

/// `verify()`: a healthy log is consistent; damage written behind the log's
/// back is reported.
@Suite struct VerifyTests {
    @Test func healthyLogIsConsistent() async throws {
        try await withLog { log, _ in
            #expect(try await log.verify() == VerificationReport())
            _ = try await log.append([entry(streams: ["a", "b"]), entry(streams: ["a"]), entry()])
            _ = try await log.append([entry(streams: ["b"], retention: .ephemeral)])
            let report = try await log.verify(allowPrunedGaps: false)
            #expect(report.isConsistent)
            #expect(report.entries == 4)
            #expect(report.streams == 2)
        }
    }

    /// An entry that does not decode is counted; a good entry after it keeps
    /// the log openable (see the next test for why).
    @Test func undecodableValueIsReported() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            try await withOpenLog(at: path) { log in
                _ = try await log.append([entry(streams: ["s"]), entry(streams: ["s"])])
            }
            // Garbage at offset 3, and a good entry after it so the log still opens.
            try withRawDatabase(at: path) { database in
                let log = database.family(Family.log)!
                let batch = WriteBatch()
                batch.put(log, key: Keys.offset(3), value: [0xFF, 0x00, 0x01])
                let good = LogEntry(
                    offset: 4, timestamp: UInt64.max / 2, type: "t", accountID: 1, streams: [], retention: .durable,
                    idempotencyKey: nil, payload: [])
                batch.put(log, key: Keys.offset(4), value: EntryCodec.encode(good))
                try database.write(batch, sync: true)
            }
            try await withOpenLog(at: path) { log in
                #expect(log.head == 4)
                let report = try await log.verify()
                #expect(report.undecodable == 1)
                #expect(report.entries == 3)
                #expect(report.indexMismatches == 0)
                #expect(!report.isConsistent)
                await #expect(throws: LogError.self) { try await log.read(after: 2, limit: 1) }
            }
        }
    }

    /// The head and clock are read from the newest entry, so an unreadable one
    /// refuses the open instead of guessing.
    @Test func undecodableNewestEntryRefusesToOpen() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            try await withOpenLog(at: path) { log in _ = try await log.append([entry()]) }
            try withRawDatabase(at: path) { database in
                let batch = WriteBatch()
                batch.put(database.family(Family.log)!, key: Keys.offset(2), value: [0xFF])
                try database.write(batch, sync: true)
            }
            let error = await #expect(throws: LogError.self) { try await EventLog.open(at: path, options: testOptions()) }
            guard case .corrupt(let reportedPath, _) = error else {
                Issue.record("expected .corrupt, got \(String(describing: error))")
                return
            }
            #expect(reportedPath == path)
        }
    }

    @Test func entryMissingFromTheIndexIsReported() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            try await withOpenLog(at: path) { log in
                _ = try await log.append([entry(streams: ["s"]), entry(streams: ["s"]), entry(streams: ["s"])])
            }
            try withRawDatabase(at: path) { database in
                let batch = WriteBatch()
                batch.delete(database.family(Family.streams)!, key: Keys.streamEntry("s", seq: 2))
                try database.write(batch, sync: true)
            }
            try await withOpenLog(at: path) { log in
                let report = try await log.verify()
                #expect(report.undecodable == 0)
                #expect(report.indexMismatches == 2)  // seq 3 follows seq 1, and entry 2's membership is unmatched
                #expect(!report.isConsistent)
            }
        }
    }
}
