import ParleyDomain
import Testing

@testable import ParleyProjections

/// The directory links an API inbox and its callback webhook both ways, from
/// the events and across a checkpointed reopen, and unlinks them on removal.
@Suite struct InboxCallbackDirectoryTests {
    private func setCallback(_ ledger: CommandLedger, _ change: InboxCallbackChange) async throws {
        _ = try await ledger.execute(
            Command(
                accountID: 1, principal: .user(1),
                action: .updateInbox(inboxID: 1, settings: InboxSettings(name: "Support"), callback: change)))
    }

    @Test func theCallbackIsFoundThroughItsInboxAndSurvivesAReopen() async throws {
        try await withDirectory { path in
            try await withLedger(at: path) { ledger in
                try await seedAccount(ledger)
                try await setCallback(ledger, .deliver(url: "https://crm.example/hook", secretNonce: "nonce-1"))
                try await setCallback(ledger, .deliver(url: "https://crm.example/moved", secretNonce: "nonce-2"))
            }
            try await withLedger(at: path) { ledger in
                let (inbox, webhook, other, listed) = ledger.withProjections { projections in
                    (
                        projections.directory.inbox(1, account: 1), projections.directory.callbackWebhook(ofInbox: 1, account: 1),
                        projections.directory.callbackWebhook(ofInbox: 1, account: 2), projections.directory.webhooks(account: 1)
                    )
                }
                #expect(inbox?.callback == InboxCallback(webhookID: 1, url: "https://crm.example/moved"))
                #expect(webhook?.inboxID == 1)
                #expect(webhook?.url == "https://crm.example/moved")
                #expect(webhook?.secretNonce == "nonce-1")
                #expect(webhook?.subscriptions == WebhookEvents.inboxCallback)
                #expect(other == nil)
                #expect(listed.map(\.id) == [1])

                try await setCallback(ledger, .remove)
                let (cleared, gone) = ledger.withProjections { projections in
                    (projections.directory.inbox(1, account: 1)?.callback, projections.directory.webhooks(account: 1))
                }
                #expect(cleared == nil)
                #expect(gone.isEmpty)
            }
        }
    }
}
