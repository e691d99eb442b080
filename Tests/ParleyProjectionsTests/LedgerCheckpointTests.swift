import Foundation
import ParleyDomain
import ParleyLog
import Testing

@testable import ParleyProjections

/// A restart resumes from the checkpoint the last clean close wrote: no event
/// is folded twice or skipped, and after a crash only what came since is folded.
@Suite struct LedgerCheckpointTests {
    @Test func aCleanRestartFoldsNothingAndLosesNothing() async throws {
        try await withDirectory { path in
            let before = try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                for index in 0..<10 { _ = try await send(ledger, "m\(index)") }
                let last = messageIDs(try await send(ledger, "last"))[0]
                return (projections: ledger.withProjections { $0 }, last: last)
            }
            try await withLedger(at: path) { ledger in
                #expect(ledger.eventsFoldedAtOpen == 0)
                let reopened = ledger.withProjections { $0 }
                #expect(reopened == before.projections)
                let rebuilt = try await ledger.rebuildProjections()
                #expect(rebuilt == reopened)
                let next = messageIDs(try await send(ledger, "next"))
                #expect(next == [before.last + 1])
            }
        }
    }

    @Test func afterACrashOnlyTheEventsSinceTheCheckpointAreFolded() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in try await seedAccount(ledger) }
            // Reopen, add five events, and stop without the ledger's checkpoint, as a crash would.
            let ledger = try await CommandLedger.open(at: path)
            #expect(ledger.eventsFoldedAtOpen == 0)
            var last: UInt64 = 0
            for index in 0..<5 { last = messageIDs(try await send(ledger, "after \(index)"))[0] }
            let live = ledger.withProjections { $0 }
            await ledger.log.close()

            try await withLedger(at: path) { reopened in
                #expect(reopened.eventsFoldedAtOpen == 5)
                #expect(reopened.withProjections { $0 } == live)
                let rebuilt = try await reopened.rebuildProjections()
                #expect(rebuilt == live)
                let again = messageIDs(try await send(reopened, "again"))
                #expect(again == [last + 1])
                let unread = reopened.withProjections {
                    $0.unread.unreadCount(account: 1, conversation: 1, participant: Participant(type: .user, id: 1))
                }
                #expect(unread == 6)
            }
        }
    }

    @Test func theCheckpointWrittenInPartsIsTheWholeOne() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                var generator = try await LedgerRebuildTests.seeded(ledger, conversations: 8)
                for _ in 0..<4 {
                    var batch: [Command] = []
                    for _ in 0..<32 { if let command = generator.next() { batch.append(command) } }
                    try await DeterminismTests.run(batch, on: ledger)
                }
                let checkpoint = LedgerCheckpoint(
                    offset: ledger.log.head, state: ledger.core.state, projections: ledger.withProjections { $0 })
                let parts = try await checkpoint.encodedInParallel()
                let whole = try checkpoint.encoded()
                #expect(try JSONDecoder().decode(JSONValue.self, from: Data(parts)) == JSONDecoder().decode(JSONValue.self, from: Data(whole)))
                let decoded = try #require(LedgerCheckpoint.decode(parts))
                #expect(decoded.offset == checkpoint.offset)
                #expect(decoded.state == checkpoint.state)
                #expect(decoded.projections == checkpoint.projections)
            }
        }
    }
}
