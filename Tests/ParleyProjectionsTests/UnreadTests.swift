import ParleyDomain
import ParleyLog
import ParleyProjections
import Testing

/// Unread counts that do not lie: no cap, per participant, cleared on every
/// device by one read, and "mark unread" that brings the last message back.
@Suite struct UnreadTests {
    static let agent = Participant(type: .user, id: 1)
    static let contact = Participant(type: .contact, id: 1)

    static func unread(_ ledger: CommandLedger, _ participant: Participant) -> Int {
        ledger.withProjections { $0.unread.unreadCount(account: 1, conversation: 1, participant: participant) }
    }

    @Test func countsAreNotCappedAndClearOnRead() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                for index in 0..<15 { _ = try await send(ledger, "m\(index)") }
                #expect(Self.unread(ledger, Self.agent) == 15)
                #expect(Self.unread(ledger, Self.contact) == 0)
                #expect(ledger.withProjections { $0.unread.badge(account: 1, user: 1, conversations: [1]) } == 15)

                let read = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .markRead(conversationID: 1)))
                #expect(Self.unread(ledger, Self.agent) == 0)
                guard case .conversationRead(let marker) = try #require(read.events.first).event.body else {
                    Issue.record("not a read marker")
                    return
                }
                #expect(ledger.withProjections { $0.unread.cursor(account: 1, conversation: 1, participant: Self.agent) } == marker.lastReadMessageID)

                _ = try await send(ledger, "a reply", as: .user(1))
                #expect(Self.unread(ledger, Self.contact) == 1)
                _ = try await ledger.execute(Command(accountID: 1, principal: .contact(1), action: .markRead(conversationID: 1)))
                #expect(Self.unread(ledger, Self.contact) == 0)

                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .markUnread(conversationID: 1)))
                #expect(Self.unread(ledger, Self.agent) == 1)
            }
        }
    }

    @Test func privateNotesAndActivityAreNotUnreadForTheContact() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                _ = try await ledger.execute(
                    Command(accountID: 1, principal: .user(1), action: .sendMessage(conversationID: 1, message: NewMessage(content: "note", isPrivate: true))))
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .setPriority(conversationID: 1, priority: .high)))
                #expect(Self.unread(ledger, Self.contact) == 0)
                #expect(Self.unread(ledger, Self.agent) == 0)
            }
        }
    }

    @Test func deletedMessagesStopCounting() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                let reply = messageIDs(try await send(ledger, "oops", as: .user(1)))[0]
                #expect(Self.unread(ledger, Self.contact) == 1)
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .deleteMessage(conversationID: 1, messageID: reply)))
                #expect(Self.unread(ledger, Self.contact) == 0)
            }
        }
    }
}

/// The badge counts every conversation the user may see, and only those.
@Suite struct UnreadBadgeTests {
    @Test func theBadgeCoversTheUsersConversations() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                try await ConversationListTests.seedMany(ledger, count: 3)
                for index in 0..<4 { _ = try await send(ledger, "m\(index)") }
                _ = try await ledger.execute(
                    Command(accountID: 1, principal: .contact(2), action: .sendMessage(conversationID: 2, message: NewMessage(content: "hi"))))
                #expect(ledger.withProjections { $0.unreadBadge(account: 1, user: 1) } == 5)
                #expect(ledger.withProjections { $0.unreadBadge(account: 1, user: 2) } == 5)
                // User 3 works in no inbox: nothing to see, nothing unread.
                #expect(ledger.withProjections { $0.unreadBadge(account: 1, user: 3) } == 0)
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(2), action: .markRead(conversationID: 1)))
                #expect(ledger.withProjections { $0.unreadBadge(account: 1, user: 2) } == 1)
                #expect(ledger.withProjections { $0.unreadBadge(account: 1, user: 1) } == 5)
            }
        }
    }
}
