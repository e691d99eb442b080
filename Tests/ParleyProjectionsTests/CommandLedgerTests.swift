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

/// Idempotency keys are the caller's own: scoped by who sends and what.
@Suite struct LedgerIdempotencyScopeTests {
    @Test func anotherCallersKeyNeverReturnsTheirResult() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                let note = try await ledger.execute(
                    Command(accountID: 1, principal: .user(1), action: .sendMessage(conversationID: 1, message: NewMessage(content: "secret", isPrivate: true))),
                    idempotencyKey: "echo-42")
                let contact = try await send(ledger, "hi", key: "echo-42")
                #expect(contact.deduplicated == false)
                #expect(messageIDs(contact) != messageIDs(note))
                guard case .messageCreated(let message) = try #require(contact.events.first).event.body else {
                    Issue.record("not a message")
                    return
                }
                #expect(message.content == "hi" && !message.private)
            }
        }
    }

    @Test func aRetriedAccountCreationCreatesOneAccount() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                let create = Command(accountID: Platform.accountID, principal: .platform, action: .createAccount(name: "Acme", locale: "en"))
                let first = try await ledger.execute(create, idempotencyKey: "create-acme")
                let head = ledger.log.head
                let retry = try await ledger.execute(create, idempotencyKey: "create-acme")
                #expect(retry.deduplicated)
                #expect(retry.events == first.events)
                #expect(ledger.log.head == head)
            }
        }
    }

    @Test func typingKeepsNoKeyAndRepeatsHarmlessly() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                let typing = Command(accountID: 1, principal: .contact(1), action: .typing(conversationID: 1, on: true, isPrivate: false))
                let first = try await ledger.execute(typing, idempotencyKey: "t1")
                let second = try await ledger.execute(typing, idempotencyKey: "t1")
                #expect(first.events.count == 1 && second.events.count == 1)
                #expect(first.events[0].entry.idempotencyKey == nil)
                #expect(second.events[0].entry.offset == first.events[0].entry.offset + 1)
            }
        }
    }
}
