import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections
import Synchronization
import Testing

/// `CommandLedger.rebuild`: folding the log into fresh projections while
/// commands keep coming, and swapping them in without missing or doubling
/// an event.
@Suite struct LedgerRebuildTests {
    @Test func aRebuildUnderConcurrentWritesEqualsAFreshFoldOfTheWholeLog() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                var generator = try await Self.seeded(ledger, conversations: 40)
                // Enough history that each rebuild takes a while to fold.
                while ledger.log.head < 3000 {
                    var batch: [Command] = []
                    for _ in 0..<64 { if let command = generator.next() { batch.append(command) } }
                    try await DeterminismTests.run(batch, on: ledger)
                }
                let commands = Shared(generator)
                let stop = Shared(false)
                let reports = try await withThrowingTaskGroup(of: [RebuildReport].self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            while !stop.value {
                                guard let command = commands.update({ $0.next() }) else { continue }
                                do { _ = try await ledger.execute(command) } catch is DomainError {}
                            }
                            return []
                        }
                    }
                    // Rebuild until one has caught up with writes made while it ran (the first nearly always does).
                    var reports: [RebuildReport] = []
                    for _ in 0..<20 {
                        let before = ledger.log.head
                        let report = try await ledger.rebuild(Set(ProjectionName.allCases), verify: false)
                        #expect(report.offset >= before)
                        #expect(report.swapped)
                        reports.append(report)
                        if report.caughtUp > 0 { break }
                    }
                    stop.update { $0 = true }
                    var all = reports
                    for try await more in group { all += more }
                    return all
                }
                #expect(reports.contains { $0.caughtUp > 0 })
                let live = ledger.withProjections { $0 }
                let fresh = try await ledger.rebuildProjections()
                #expect(try live.digests() == fresh.digests())
                #expect(live == fresh)
            }
        }
    }

    @Test func verifyNamesADamagedProjectionAndARebuildOfItRepairsItAndItsCheckpoint() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                var generator = try await Self.seeded(ledger, conversations: 10)
                for _ in 0..<10 {
                    var batch: [Command] = []
                    for _ in 0..<32 { if let command = generator.next() { batch.append(command) } }
                    try await DeterminismTests.run(batch, on: ledger)
                }
                let clean = try await ledger.rebuild([.unread, .audit], verify: true)
                #expect(clean.projections == [.audit, .unread])
                #expect(clean.differing == [])
                #expect(!clean.swapped)
                #expect(clean.events > 0)
                #expect(clean.offset == ledger.log.head)
            }
            // A checkpoint whose analytics lost their facts: what a restart then serves.
            try await damageAnalyticsCheckpoint(at: path)
            try await withLedger(at: path) { ledger in
                let verified = try await ledger.rebuild(Set(ProjectionName.allCases), verify: true)
                #expect(verified.differing == [.analytics])
                let stillDamaged = try await ledger.rebuild([.analytics], verify: true)
                #expect(stillDamaged.differing == [.analytics])
                let repaired = try await ledger.rebuild([.analytics], verify: false)
                #expect(repaired.differing == [.analytics])
                #expect(repaired.swapped)
                let after = try await ledger.rebuild(Set(ProjectionName.allCases), verify: true)
                #expect(after.differing == [])
                let fresh = try await ledger.rebuildProjections()
                #expect(ledger.withProjections { $0 } == fresh)
            }
        }
    }

    @Test func anOfflineRebuildFoldsEveryViewAfreshWithoutTheCheckpointAndCheckpointsThem() async throws {
        try await withDirectory { path in
            let (live, head) = try await withLedger(at: path) { ledger in
                var generator = try await Self.seeded(ledger, conversations: 10)
                for _ in 0..<10 {
                    var batch: [Command] = []
                    for _ in 0..<32 { if let command = generator.next() { batch.append(command) } }
                    try await DeterminismTests.run(batch, on: ledger)
                }
                return (ledger.withProjections { $0 }, ledger.log.head)
            }
            try await damageAnalyticsCheckpoint(at: path)

            let report = try await CommandLedger.rebuildOffline(at: path, reporting: [.analytics, .unread])
            #expect(report.projections == [.analytics, .unread])
            #expect(report.live == nil)
            #expect(report.differing == nil)
            #expect(report.swapped)
            #expect(report.offset == head)
            #expect(report.events > 300)
            #expect(report.rebuilt == nil)

            try await withLedger(at: path) { ledger in
                #expect(ledger.eventsFoldedAtOpen == 0)
                #expect(ledger.withProjections { $0 } == live)
                let verified = try await ledger.rebuild(Set(ProjectionName.allCases), verify: true)
                #expect(verified.differing == [])
            }
        }
    }

    @Test func concurrentRebuildsEachRunOrAreRefusedAndLeaveNothingBehind() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                var generator = try await Self.seeded(ledger, conversations: 30)
                while ledger.log.head < 2000 {
                    var batch: [Command] = []
                    for _ in 0..<64 { if let command = generator.next() { batch.append(command) } }
                    try await DeterminismTests.run(batch, on: ledger)
                }
                let outcomes = await withTaskGroup(of: String.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            do {
                                _ = try await ledger.rebuild(Set(ProjectionName.allCases), verify: true)
                                return "done"
                            } catch let error as LedgerError {
                                return error == .rebuildRunning ? "refused" : "\(error)"
                            } catch {
                                return "\(error)"
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(outcomes.allSatisfy { $0 == "done" || $0 == "refused" }, "\(outcomes)")
                #expect(outcomes.contains("done"))
                // A refused or finished rebuild leaves nothing behind: the next one runs.
                let next = try await ledger.rebuild([.conversations], verify: true)
                #expect(next.differing == [])
            }
        }
    }

    /// Accounts, agents, inboxes and `conversations` conversations; returns the generator to go on with.
    static func seeded(_ ledger: CommandLedger, conversations: Int) async throws -> CommandGenerator {
        var generator = CommandGenerator(seed: 7)
        for batch in generator.setup(accountCount: 2, agentsPerAccount: 3, inboxesPerAccount: 2) {
            try await DeterminismTests.run(batch, on: ledger)
        }
        for contact in 1...UInt64(conversations) {
            let (account, commands) = generator.newConversation(nextContact: contact)
            var conversation: UInt64 = 0
            for command in commands {
                for stored in try await ledger.execute(command).events {
                    if case .conversationCreated(let created) = stored.event.body { conversation = created.conversationID }
                }
            }
            generator.created(conversation: conversation, contact: contact, in: account)
        }
        return generator
    }
}

/// Rewrites the ledger's checkpoint in `path` (closed) with the analytics
/// projection's facts removed, as a damaged or tampered file would be.
func damageAnalyticsCheckpoint(at path: String) async throws {
    var options = LogOptions()
    options.extraFamilies = ["ledger"]
    let log = try await EventLog.open(at: path, options: options)
    do {
        let key = Array("checkpoint".utf8)
        let stored = try #require(try await log.value(family: "ledger", key: key))
        var checkpoint = try #require(try JSONSerialization.jsonObject(with: Data(stored)) as? [String: Any])
        var projections = try #require(checkpoint["projections"] as? [String: Any])
        var analytics = try #require(projections["analytics"] as? [String: Any])
        #expect((analytics["facts"] as? [Any])?.isEmpty == false)
        analytics["facts"] = [Any]()
        projections["analytics"] = analytics
        checkpoint["projections"] = projections
        try await log.write([StoredValue(family: "ledger", key: key, value: Array(try JSONSerialization.data(withJSONObject: checkpoint)))])
    } catch {
        await log.close()
        throw error
    }
    await log.close()
}

/// A value tasks share behind a lock.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    var value: Value { mutex.withLock { $0 } }

    func update<T>(_ body: (inout Value) -> T) -> T {
        mutex.withLock { body(&$0) }
    }
}
