import ParleyDomain
import ParleyLog
import ParleyProjections
import Testing

/// Commands decided on the writer thread: in order, against the state every
/// earlier command left, refused without a trace, safe to retry, and resumed
/// after a restart from the log alone.
@Suite struct CommandLedgerTests {
    @Test func commandsAppendTheirEventsWithPositions() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                let outcome = try await send(ledger, "Hello")
                #expect(outcome.deduplicated == false)
                #expect(outcome.events.map(\.event.type) == ["message.created"])
                let stored = try #require(outcome.events.first)
                #expect(stored.entry.offset == ledger.log.head)
                #expect(stored.entry.seq(in: "conversation:1:1") != nil)
                #expect(stored.entry.seq(in: "contact:1:1") != nil)
                guard case .messageCreated(let message) = stored.event.body else { Issue.record("not a message"); return }
                #expect(message.messageType == .incoming)
                #expect(message.content == "Hello")
                #expect(message.sender == .contact(1))
            }
        }
    }

    @Test func aRefusedCommandAppendsNothingAndKeepsItsError() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                let head = ledger.log.head
                await #expect(throws: DomainError.notFound("conversation 9")) {
                    try await ledger.execute(
                        Command(accountID: 1, principal: .user(1), action: .sendMessage(conversationID: 9, message: NewMessage(content: "x"))))
                }
                #expect(ledger.log.head == head)
            }
        }
    }

    @Test func aRetriedCommandReturnsItsOriginalEvents() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                let first = try await send(ledger, "once", key: "echo-1")
                let head = ledger.log.head
                let retry = try await send(ledger, "once", key: "echo-1")
                #expect(retry.deduplicated)
                #expect(retry.events == first.events)
                #expect(ledger.log.head == head)
            }
        }
    }

    @Test func concurrentCommandsSeeEachOthersState() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                let ids = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                    for index in 0..<40 { group.addTask { messageIDs(try await send(ledger, "m\(index)")) } }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(ids.count == 40)
                #expect(Set(ids).count == 40)
                #expect(ids.sorted() == Array(ids.sorted().first!...(ids.sorted().first! + 39)))
            }
        }
    }

    @Test func aReopenedLedgerContinuesFromTheLog() async throws {
        try await withDirectory { path in
            let before = try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                return messageIDs(try await send(ledger, "before restart"))
            }
            try await withLedger(at: path) { ledger in
                let after = messageIDs(try await send(ledger, "after restart"))
                #expect(after == [before[0] + 1])
                // The resolved status survives too: resolving twice changes nothing the second time.
                let resolve = Command(accountID: 1, principal: .user(1), action: .toggleStatus(conversationID: 1, status: .resolved, snoozedUntil: nil))
                #expect(try await ledger.execute(resolve).events.isEmpty == false)
            }
            try await withLedger(at: path) { ledger in
                let resolve = Command(accountID: 1, principal: .user(1), action: .toggleStatus(conversationID: 1, status: .resolved, snoozedUntil: nil))
                #expect(try await ledger.execute(resolve).events.isEmpty)
                // An incoming message reopens it: status change, activity, message.
                let reopen = try await send(ledger, "back again")
                #expect(reopen.events.map(\.event.type) == ["conversation.status_changed", "message.created", "message.created"])
            }
        }
    }
}
