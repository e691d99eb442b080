import ParleyDomain
import ParleyLog
import ParleyProjections
import Testing

/// Conversation lists as Chatwoot serves them: filters, counts that ignore the
/// assignee filter, sorts, 25 per page, and only inboxes the agent works in.
@Suite struct ConversationListTests {
    /// Adds agent 2 (member of inbox 1) and agent 3 (in no inbox), contacts 2...,
    /// and conversations 2...`count` in inbox 1.
    static func seedMany(_ ledger: CommandLedger, count: Int) async throws {
        for (user, name) in [(2, "Bo"), (3, "Cy")] {
            _ = try await ledger.execute(
                Command(accountID: Platform.accountID, principal: .platform, action: .createUser(name: name, email: "\(name)@acme.test", tokenSha256: tokenHash)))
            _ = try await ledger.execute(Command(accountID: 1, principal: .platform, action: .addAccountUser(userID: UInt64(user), role: .agent)))
        }
        _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .setInboxMembers(inboxID: 1, userIDs: [1, 2])))
        for index in 2...count {
            _ = try await ledger.execute(
                Command(accountID: 1, principal: .user(1), action: .createContact(details: ContactDetails(name: "Person \(index)", email: "p\(index)@mail.test"), inbox: nil)))
            _ = try await ledger.execute(
                Command(accountID: 1, principal: .user(1), action: .createConversation(NewConversation(inboxID: 1, contactID: UInt64(index), sourceID: "s\(index)"))))
        }
    }

    static func list(_ ledger: CommandLedger, as user: UInt64, _ configure: (inout ConversationQuery) -> Void = { _ in }) -> ConversationPage {
        var query = ConversationQuery()
        configure(&query)
        return ledger.withProjections { $0.conversations.list(account: 1, user: user, query: query) }
    }

    @Test func pagesCountsAndAssigneeFilters() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                try await Self.seedMany(ledger, count: 30)
                for conversation in [3, 4, 5] as [UInt64] {
                    _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .assign(conversationID: conversation, assigneeID: 2)))
                }
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .assign(conversationID: 6, assigneeID: 1)))

                let first = Self.list(ledger, as: 2)
                #expect(first.allCount == 30)
                #expect(first.mineCount == 3)
                #expect(first.assignedCount == 4)
                #expect(first.unassignedCount == 26)
                #expect(first.conversations.count == 25)
                let second = Self.list(ledger, as: 2) { $0.page = 2 }
                #expect(second.conversations.count == 5)
                #expect(Set(first.conversations.map(\.id)).isDisjoint(with: second.conversations.map(\.id)))
                #expect(Self.list(ledger, as: 2) { $0.assigneeType = .me }.conversations.map(\.id).sorted() == [3, 4, 5])
                #expect(Self.list(ledger, as: 2) { $0.assigneeType = .unassigned }.allCount == 30)
                #expect(Self.list(ledger, as: 2) { $0.assigneeType = .unassigned; $0.page = 2 }.conversations.count == 1)
                // Agent 3 works in no inbox: sees nothing, and no counts leak.
                let outsider = Self.list(ledger, as: 3)
                #expect(outsider.allCount == 0 && outsider.conversations.isEmpty)
            }
        }
    }

    @Test func statusLabelTextAndSortFilters() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                try await Self.seedMany(ledger, count: 6)
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .toggleStatus(conversationID: 2, status: .resolved, snoozedUntil: nil)))
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .toggleStatus(conversationID: 3, status: .pending, snoozedUntil: nil)))
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .setLabels(conversationID: 4, labels: ["billing", "vip"])))
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .setLabels(conversationID: 5, labels: ["billing"])))
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .setPriority(conversationID: 6, priority: .urgent)))
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .setPriority(conversationID: 5, priority: .low)))

                #expect(Self.list(ledger, as: 1).allCount == 4)
                #expect(Self.list(ledger, as: 1) { $0.status = .only(.resolved) }.conversations.map(\.id) == [2])
                #expect(Self.list(ledger, as: 1) { $0.status = .only(.pending) }.conversations.map(\.id) == [3])
                #expect(Self.list(ledger, as: 1) { $0.status = .all }.allCount == 6)
                #expect(Self.list(ledger, as: 1) { $0.labels = ["billing"] }.conversations.map(\.id).sorted() == [4, 5])
                #expect(Self.list(ledger, as: 1) { $0.labels = ["billing", "vip"] }.conversations.map(\.id) == [4])
                #expect(Self.list(ledger, as: 1) { $0.text = "person 5" }.conversations.map(\.id) == [5])
                #expect(Self.list(ledger, as: 1) { $0.text = "p4@mail" }.conversations.map(\.id) == [4])
                #expect(Self.list(ledger, as: 1) { $0.text = "6" }.conversations.map(\.id) == [6])
                let byPriority = Self.list(ledger, as: 1) { $0.sort = .priority }.conversations.map(\.id)
                #expect(byPriority.first == 6)
                #expect(byPriority.firstIndex(of: 5)! < byPriority.firstIndex(of: 4)!)
                // Newest activity first: the last change (with its activity message) was 5's priority.
                let byActivity = Self.list(ledger, as: 1) { $0.sort = .lastActivity }.conversations.map(\.id)
                #expect(byActivity == [5, 6, 4, 1])
                let byCreation = Self.list(ledger, as: 1) { $0.sort = .createdAt }.conversations.map(\.id)
                #expect(byCreation == [6, 5, 4, 1])
            }
        }
    }

    @Test func waitingSinceAndFirstReply() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                _ = try await send(ledger, "help?")
                let waiting = try #require(ledger.withProjections { $0.conversations.conversation(account: 1, id: 1) })
                #expect(waiting.waitingSince != nil)
                #expect(waiting.firstReplyCreatedAt == nil)
                _ = try await send(ledger, "private thought", as: .user(1), key: nil)
                let replied = try #require(ledger.withProjections { $0.conversations.conversation(account: 1, id: 1) })
                #expect(replied.waitingSince == nil)
                #expect(replied.firstReplyCreatedAt != nil)
                #expect(replied.messagesCount == 2)
                #expect(replied.lastMessage?.content == "private thought")
            }
        }
    }

    @Test func messagesPageByIdAndHidePrivateNotes() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                var ids: [UInt64] = []
                for index in 0..<30 { ids += messageIDs(try await send(ledger, "m\(index)")) }
                let note = try await ledger.execute(
                    Command(accountID: 1, principal: .user(1), action: .sendMessage(conversationID: 1, message: NewMessage(content: "note", isPrivate: true))))
                let noteID = messageIDs(note)[0]
                let latest = ledger.withProjections { $0.conversations.messages(account: 1, conversation: 1, includePrivate: true) }
                #expect(latest.count == 20)
                #expect(latest.last?.id == noteID)
                let forContact = ledger.withProjections { $0.conversations.messages(account: 1, conversation: 1, includePrivate: false) }
                #expect(forContact.last?.id == ids.last)
                let before = ledger.withProjections {
                    $0.conversations.messages(account: 1, conversation: 1, before: ids[10], includePrivate: true)
                }
                #expect(before.map(\.id) == Array(ids[0..<10]))
                let after = ledger.withProjections {
                    $0.conversations.messages(account: 1, conversation: 1, after: ids[25], includePrivate: false)
                }
                #expect(after.map(\.id) == Array(ids[26...]))
                // The index points at the stored event.
                let stored = try await ledger.log.read(after: before[0].offset - 1, limit: 1)
                #expect(stored.first?.offset == before[0].offset)
            }
        }
    }
}

/// Paging parameters from clients never crash, and previews show what people wrote.
@Suite struct ConversationListEdgeTests {
    @Test func extremePagesAndLimitsAreSafe() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                _ = try await send(ledger, "one")
                for page in [Int.max, Int.min, 0, -3] {
                    var query = ConversationQuery()
                    query.page = page
                    let result = ledger.withProjections { $0.conversations.list(account: 1, user: 1, query: query) }
                    #expect(result.allCount == 1)
                    #expect(result.conversations.count == (page == Int.max ? 0 : 1))
                    #expect(ledger.withProjections { $0.audit.page(account: 1, page: page) }.totalEntries == 4)
                }
                #expect(ledger.withProjections { $0.conversations.messages(account: 1, conversation: 1, limit: -5, includePrivate: true) }.isEmpty)
            }
        }
    }

    @Test func thePreviewSkipsActivityMessages() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                _ = try await send(ledger, "what people wrote")
                _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .setPriority(conversationID: 1, priority: .high)))
                let view = try #require(ledger.withProjections { $0.conversations.conversation(account: 1, id: 1) })
                #expect(view.lastMessage?.content == "what people wrote")
                #expect(view.messagesCount == 2)
            }
        }
    }
}
