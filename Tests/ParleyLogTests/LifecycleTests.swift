import Foundation
import Testing

@testable import ParleyLog

/// Opening after an interrupted creation, closing more than once, and
/// settings at their extremes.
@Suite struct LifecycleTests {
    @Test func closingTwiceAtOnceIsSafe() async throws {
        try await withTemporaryDirectory { dir in
            let log = try await EventLog.open(at: dir.sub("log"), options: testOptions())
            _ = try await log.append([entry(streams: ["s"])])
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { await log.close() } }
            }
            await log.close()
            await #expect(throws: LogError.closed) { try await log.append([entry()]) }
            // Closed for real: the directory opens again.
            try await withOpenLog(at: dir.sub("log")) { reopened in #expect(reopened.head == 1) }
        }
    }

    @Test func aCreationInterruptedBeforeTheMetadataOpensAsNew() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            // RocksDB's files exist, Parley's metadata does not: as after a kill during the first open.
            try withRawDatabase(at: path) { _ in }
            #expect(FileManager.default.fileExists(atPath: path + "/CURRENT"))
            try await withOpenLog(at: path) { log in
                #expect(log.epoch.count == 16)
                let result = try await log.append([entry(streams: ["s"])])
                #expect(result.entries[0].offset == 1)
            }
        }
    }

    @Test func missingMetadataWithEntriesIsCorrupt() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            try await withOpenLog(at: path) { log in _ = try await log.append([entry()]) }
            try withRawDatabase(at: path) { database in
                let batch = WriteBatch()
                batch.delete(database.family(Family.meta)!, key: MetaKey.format)
                try database.write(batch, sync: true)
            }
            await #expect {
                _ = try await EventLog.open(at: path, options: testOptions())
            } throws: { error in
                guard case .corrupt = error as? LogError else { return false }
                return true
            }
        }
    }

    @Test func verifyCountsAnOutOfOrderKeyInsteadOfTrapping() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            try await withOpenLog(at: path) { log in
                _ = try await log.append([entry(), entry()])
            }
            try withRawDatabase(at: path) { database in
                let batch = WriteBatch()
                batch.put(database.family(Family.log)!, key: Keys.offset(0), value: [1, 2, 3])
                try database.write(batch, sync: true)
            }
            try await withOpenLog(at: path) { log in
                let report = try await log.verify(allowPrunedGaps: false)
                #expect(report.undecodable == 1)
                #expect(report.entries == 2)
                #expect(!report.isConsistent)
            }
        }
    }

    @Test func foreverRetentionsDoNotTrap() async throws {
        var options = testOptions()
        options.idempotencyRetention = .seconds(Int64.max)
        options.ephemeralRetention = .seconds(Int64.max)
        options.pruneInterval = .seconds(Int64.max)
        try await withLog(options) { log, _ in
            _ = try await log.append([entry(key: "k"), entry(retention: .ephemeral)])
            let report = try await log.prune()
            #expect(report == PruneReport(ephemeralEntries: 0, idempotencyKeys: 0))
            #expect(try await log.append([entry(key: "k")]).entries[0].deduplicated)
        }
    }
}
