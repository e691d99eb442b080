import ParleyDomain
import ParleyLog
import ParleyProjections
import Testing

/// The audit trail: administrative and security actions, newest first,
/// 15 per page, filterable by actor, action and time, per account only.
@Suite struct AuditTests {
    @Test func administrativeActionsAreAuditedNewestFirst() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                _ = try await ledger.execute(
                    Command(accountID: 1, principal: .system, action: .recordAudit(action: "sign_in", targetType: "User", targetID: 1, ipAddress: "203.0.113.9", details: [:])))
                let page = ledger.withProjections { $0.audit.page(account: 1) }
                #expect(page.entries.map(\.action) == [
                    "sign_in", "inbox.members_changed", "inbox.created", "account_user.added", "account.created",
                ])
                #expect(page.totalEntries == 5)
                let signIn = try #require(page.entries.first)
                #expect(signIn.targetType == "User" && signIn.targetID == 1 && signIn.ipAddress == "203.0.113.9")
                #expect(page.entries[1].targetType == "Inbox" && page.entries[1].targetID == 1)
                #expect(page.entries[1].actor == .agent(1))
                // Conversations and messages are not audit entries.
                _ = try await send(ledger, "hello")
                #expect(ledger.withProjections { $0.audit.page(account: 1).totalEntries } == 5)
            }
        }
    }

    @Test func filtersAndPages() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                for index in 0..<20 {
                    _ = try await ledger.execute(
                        Command(accountID: 1, principal: .user(1), action: .createLabel(title: "label-\(index)", description: "", color: "")))
                }
                let first = ledger.withProjections { $0.audit.page(account: 1, action: "label.created") }
                #expect(first.totalEntries == 20)
                #expect(first.entries.count == 15)
                #expect(first.entries.first?.targetID == 20)
                let second = ledger.withProjections { $0.audit.page(account: 1, action: "label.created", page: 2) }
                #expect(second.entries.map(\.targetID) == [5, 4, 3, 2, 1])
                let byPlatform = ledger.withProjections { $0.audit.page(account: 1, actor: .system) }
                #expect(byPlatform.entries.map(\.action) == ["account_user.added", "account.created"])
                let newest = try #require(first.entries.first)
                let before = ledger.withProjections { $0.audit.page(account: 1, until: newest.time) }
                #expect(before.entries.allSatisfy { $0.time < newest.time })
                // Another account sees none of it.
                #expect(ledger.withProjections { $0.audit.page(account: 2).totalEntries } == 0)
            }
        }
    }
}
