import ParleyDomain
import ParleyLog
import ParleyProjections
import Testing

/// Promise 1, proven: projections are caches. Folding the log from scratch
/// gives exactly what was folded live, and a restarted ledger resumes with
/// the same state, no event folded twice or skipped.
@Suite struct DeterminismTests {
    @Test func liveProjectionsEqualARebuildAndSurviveARestart() async throws {
        try await withDirectory { path in
            let live = try await withLedger(at: path) { ledger in
                var generator = CommandGenerator(seed: 42)
                for batch in generator.setup(accountCount: 3, agentsPerAccount: 4, inboxesPerAccount: 2) {
                    try await Self.run(batch, on: ledger)
                }
                var nextContact: UInt64 = 1
                for _ in 0..<90 {
                    let (account, commands) = generator.newConversation(nextContact: nextContact)
                    var conversation: UInt64 = 0
                    for command in commands {
                        for stored in try await ledger.execute(command).events {
                            if case .conversationCreated(let created) = stored.event.body { conversation = created.conversationID }
                        }
                    }
                    generator.created(conversation: conversation, contact: nextContact, in: account)
                    nextContact += 1
                }
                while ledger.log.head < 10_000 {
                    var batch: [Command] = []
                    for _ in 0..<64 { if let command = generator.next() { batch.append(command) } }
                    try await Self.run(batch, on: ledger)
                }
                #expect(ledger.log.head >= 10_000)
                try await expectSchemaConformance(ledger)
                let live = ledger.withProjections { $0 }
                let rebuilt = try await ledger.rebuildProjections()
                let digests = (rebuilt: try rebuilt.digests(), live: try live.digests())
                #expect(digests.rebuilt == digests.live)
                #expect(rebuilt == live)
                return live
            }
            try await withLedger(at: path) { ledger in
                let reopened = ledger.withProjections { $0 }
                let digests = (reopened: try reopened.digests(), live: try live.digests())
                #expect(digests.reopened == digests.live)
                #expect(reopened == live)
            }
        }
    }

    /// Runs commands concurrently (they share group commits); refusals are expected.
    static func run(_ commands: [Command], on ledger: CommandLedger) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for command in commands {
                group.addTask {
                    do {
                        _ = try await ledger.execute(command)
                    } catch is DomainError {
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
