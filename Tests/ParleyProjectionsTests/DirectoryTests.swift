import ParleyDomain
import ParleyLog
import ParleyProjections
import Testing

/// The directory's contact reads: each account's contacts newest first,
/// Chatwoot's contact search, and the last activity a contact's messages set.
@Suite struct DirectoryTests {
    private func createContact(_ ledger: CommandLedger, account: UInt64 = 1, _ details: ContactDetails) async throws {
        _ = try await ledger.execute(Command(accountID: account, principal: .system, action: .createContact(details: details, inbox: nil)))
    }

    @Test func contactsAreListedPerAccountNewestFirst() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                _ = try await ledger.execute(
                    Command(accountID: Platform.accountID, principal: .platform, action: .createAccount(name: "Other", locale: "en")))
                try await createContact(ledger, ContactDetails(name: "Second"))
                try await createContact(ledger, account: 2, ContactDetails(name: "Elsewhere"))
                try await createContact(ledger, ContactDetails(name: "Third"))
                let names = ledger.withProjections { $0.directory.contacts(account: 1).map(\.details.name) }
                #expect(names == ["Third", "Second", "Visitor"])
                #expect(ledger.withProjections { $0.directory.contacts(account: 2).map(\.details.name) } == ["Elsewhere"])
            }
        }
    }

    @Test func searchMatchesAsChatwootDoes() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                try await createContact(
                    ledger, ContactDetails(name: "Ada Lovelace", email: "Ada@Example.com", phoneNumber: "+4930123456", identifier: "CRM-7"))
                try await createContact(ledger, ContactDetails(name: "Bob", identifier: "crm-8"))
                func found(_ query: String) -> [String] {
                    ledger.withProjections { $0.directory.contacts(account: 1, matching: query).map(\.details.name) }
                }
                #expect(found("lovelace") == ["Ada Lovelace"])
                #expect(found("example.COM") == ["Ada Lovelace"])
                #expect(found("+4930") == ["Ada Lovelace"])
                #expect(found("crm-") == ["Bob"])
                #expect(found("CRM-") == ["Ada Lovelace"])
                #expect(found("3") == ["Bob", "Ada Lovelace"])  // id 3 is Bob; Ada's phone holds a 3
                #expect(found("nothing") == [])
                #expect(ledger.withProjections { $0.directory.contacts(account: 2, matching: "Ada") }.isEmpty)
            }
        }
    }

    @Test func aContactsOwnMessagesSetItsLastActivity() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                #expect(ledger.withProjections { $0.directory.contact(1, account: 1)?.lastActivityAt } == nil)
                _ = try await send(ledger, "reply from the agent", as: .user(1))
                #expect(ledger.withProjections { $0.directory.contact(1, account: 1)?.lastActivityAt } == nil)
                let outcome = try await send(ledger, "hello")
                let sentAt = try #require(outcome.events.first?.entry.timestamp)
                #expect(ledger.withProjections { $0.directory.contact(1, account: 1)?.lastActivityAt } == sentAt)
                #expect(ledger.withProjections { $0.directory.contact(1, account: 2) } == nil)
            }
        }
    }
}
