import ParleyDomain
import ParleyLog
import ParleyProjections
import Testing

/// The message index knows where each message's latest edit is stored and
/// whether it was deleted, finds a message by id alone, and its digest
/// covers all of it.
@Suite struct MessageIndexTests {
    private static func edit(_ ledger: CommandLedger, _ message: UInt64, _ content: String) async throws -> CommandOutcome {
        try await ledger.execute(
            Command(
                accountID: 1, principal: .user(1),
                action: .updateMessage(conversationID: 1, messageID: message, content: content, contentAttributes: ["edited": .bool(true)])))
    }

    private static func entry(_ ledger: CommandLedger, _ message: UInt64) -> MessageIndexEntry? {
        ledger.withProjections { $0.conversations.message(account: 1, conversation: 1, id: message) }
    }

    private static func digest(_ ledger: CommandLedger) throws -> String {
        try ledger.withProjections { try $0.digests()["conversations"]! }
    }

    @Test func editsAndDeletesAreIndexed() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                let first = messageIDs(try await send(ledger, "first", as: .user(1)))[0]
                let created = try await send(ledger, "second", as: .user(1))
                let second = messageIDs(created)[0]
                let fresh = try #require(Self.entry(ledger, first))
                #expect(fresh.updatedOffset == nil && !fresh.deleted)
                #expect(Self.entry(ledger, second)?.createdAt == created.events.last?.entry.timestamp)

                // Editing a message that is not the newest changes only its index entry: the digest must see it.
                let before = try Self.digest(ledger)
                let edited = try await Self.edit(ledger, first, "first, fixed")
                #expect(Self.entry(ledger, first)?.updatedOffset == edited.events[0].entry.offset)
                let afterEdit = try Self.digest(ledger)
                #expect(afterEdit != before)
                let editedAgain = try await Self.edit(ledger, first, "first, fixed twice")
                #expect(Self.entry(ledger, first)?.updatedOffset == editedAgain.events[0].entry.offset)
                let stored = try await ledger.log.read(after: editedAgain.events[0].entry.offset - 1, limit: 1)
                #expect(stored.first?.type == MessageUpdated.type)

                let beforeDelete = try Self.digest(ledger)
                _ = try await ledger.execute(
                    Command(accountID: 1, principal: .user(1), action: .deleteMessage(conversationID: 1, messageID: first)))
                #expect(Self.entry(ledger, first)?.deleted == true)
                #expect(Self.entry(ledger, second)?.deleted == false)
                #expect(try Self.digest(ledger) != beforeDelete)

                let rebuilt = try await ledger.rebuildProjections()
                #expect(try rebuilt.digests() == ledger.withProjections { try $0.digests() })
            }
        }
    }

    @Test func messagesAreFoundByIdWithinTheirAccount() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                let message = messageIDs(try await send(ledger, "hello"))[0]
                let found = ledger.withProjections { $0.conversations.message(account: 1, id: message) }
                #expect(found?.conversation == 1 && found?.entry.id == message)
                #expect(ledger.withProjections { $0.conversations.message(account: 2, id: message) } == nil)
                #expect(ledger.withProjections { $0.conversations.message(account: 1, id: message + 100) } == nil)

                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .setPriority(conversationID: 1, priority: .high)))
                let last = try #require(ledger.withProjections { $0.conversations.lastMessage(account: 1, conversation: 1) })
                #expect(last.id == message + 1)
                let atCursor = ledger.withProjections { $0.conversations.message(account: 1, conversation: 1, atOrBefore: message) }
                #expect(atCursor?.id == message)
                #expect(ledger.withProjections { $0.conversations.message(account: 1, conversation: 1, atOrBefore: message - 1) } == nil)
                #expect(ledger.withProjections { $0.conversations.message(account: 1, conversation: 1, atOrBefore: .max) }?.id == last.id)
            }
        }
    }

    @Test func aContactsConversationsAreThoseTheUserMaySee() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                _ = try await ledger.execute(
                    Command(accountID: 1, principal: .user(1), action: .createConversation(NewConversation(inboxID: 1, contactID: 1, sourceID: "visitor-1"))))
                _ = try await ledger.execute(
                    Command(accountID: Platform.accountID, principal: .platform, action: .createUser(name: "Bo", email: "bo@acme.test", tokenSha256: tokenHash)))
                _ = try await ledger.execute(Command(accountID: 1, principal: .platform, action: .addAccountUser(userID: 2, role: .agent)))
                let forAdmin = ledger.withProjections { $0.conversations.conversations(account: 1, contact: 1, user: 1) }
                #expect(forAdmin.map(\.id) == [2, 1])
                #expect(ledger.withProjections { $0.conversations.conversations(account: 1, contact: 1, user: 1, limit: 1) }.map(\.id) == [2])
                #expect(ledger.withProjections { $0.conversations.conversations(account: 1, contact: 1, user: 2) }.isEmpty)
                #expect(ledger.withProjections { $0.conversations.conversations(account: 2, contact: 1, user: 1) }.isEmpty)
            }
        }
    }
}
