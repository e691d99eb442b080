import Foundation
import ParleyDomain
import ParleyLog
import Testing

@testable import ParleyProjections
@testable import ParleyServer

@Suite struct WebhookSigningTests {
    private let webhook = WebhookView(
        accountID: 3, id: 7, url: "https://hooks.example.com", subscriptions: ["message_created"], secretNonce: "n-1")

    @Test func theSignatureIsChatwootsHMACOfTimestampDotBody() {
        // HMAC-SHA256("key", "1700000000.{}") computed independently (Python's hmac module).
        let signature = WebhookSigning.signature(secret: "key", timestamp: 1_700_000_000, body: Array("{}".utf8))
        #expect(signature == "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae")
        #expect(WebhookSigning.signature(secret: "key", timestamp: 1_700_000_001, body: Array("{}".utf8)) != signature)
    }

    @Test func theSecretComesFromTheNonceAndTheServerSecret() {
        let secret = WebhookSigning.secret(of: webhook, serverSecret: "server")
        #expect(secret.count == 48)
        #expect(WebhookSigning.secret(of: webhook, serverSecret: "server") == secret)
        #expect(WebhookSigning.secret(of: webhook, serverSecret: "other") != secret)
        var renonced = webhook
        renonced.secretNonce = "n-2"
        #expect(WebhookSigning.secret(of: renonced, serverSecret: "server") != secret)
    }

    @Test func aDeliveryIdBelongsToOneEventAndOneWebhook() {
        let id = WebhookSigning.deliveryID(epoch: "0123456789abcdef", offset: 42, webhookID: 7)
        #expect(id.count == 36)
        #expect(id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(WebhookSigning.deliveryID(epoch: "0123456789abcdef", offset: 42, webhookID: 7) == id)
        #expect(WebhookSigning.deliveryID(epoch: "0123456789abcdef", offset: 43, webhookID: 7) != id)
        #expect(WebhookSigning.deliveryID(epoch: "0123456789abcdef", offset: 42, webhookID: 8) != id)
        #expect(WebhookSigning.deliveryID(epoch: "fedcba9876543210", offset: 42, webhookID: 7) != id)
    }
}

@Suite struct WebhookTargetTests {
    private func entry(account: UInt64, streams: [String], type: String = "message.created") -> LogEntry {
        LogEntry(
            offset: 1, timestamp: 0, type: type, accountID: account, streams: streams.map { StreamPosition(stream: $0, seq: 1) },
            retention: .durable, idempotencyKey: nil, payload: [])
    }

    private func target(inbox: UInt64?) -> WebhookTarget {
        WebhookTarget(id: 1, accountID: 3, url: "https://hooks.example.com", subscriptions: [], secret: "s", inboxID: inbox)
    }

    @Test func anAccountWebhookReceivesEveryEntryOfItsAccountOnly() {
        let conversation = [StreamNames.account(3), StreamNames.conversation(3, 8), StreamNames.inbox(3, 5)]
        #expect(target(inbox: nil).mayReceive(entry(account: 3, streams: conversation)))
        #expect(target(inbox: nil).mayReceive(entry(account: 3, streams: [StreamNames.account(3)], type: "contact.created")))
        #expect(!target(inbox: nil).mayReceive(entry(account: 4, streams: [StreamNames.account(4)])))
    }

    @Test func anInboxCallbackReceivesOnlyEntriesOnItsInboxStream() {
        let callback = target(inbox: 5)
        #expect(callback.mayReceive(entry(account: 3, streams: [StreamNames.account(3), StreamNames.inbox(3, 5)])))
        #expect(!callback.mayReceive(entry(account: 3, streams: [StreamNames.account(3), StreamNames.inbox(3, 6)])))
        #expect(!callback.mayReceive(entry(account: 3, streams: [StreamNames.account(3)], type: "contact.created")))
        // The same inbox id in another account is another inbox.
        #expect(!callback.mayReceive(entry(account: 4, streams: [StreamNames.account(4), StreamNames.inbox(4, 5)])))
    }
}

@Suite struct WebhookProgressTests {
    @Test func theCursorMovesOnlyPastAContiguousRunOfFinishedDeliveries() {
        var progress = WebhookProgress(cursor: 10)
        progress.passed(11)
        #expect(progress.cursor == 11)
        progress.started(12, key: 1)
        progress.started(13, key: 2)
        progress.passed(14)
        #expect(progress.cursor == 11)
        progress.delivered(13, at: 0)
        #expect(progress.cursor == 11)
        #expect(progress.holds(1) && !progress.holds(2))
        progress.delivered(12, at: 0)
        #expect(progress.cursor == 14)
        #expect(progress.delivered == 2)
    }

    @Test func retriesAreScheduledAndClearedByTheirDelivery() {
        var progress = WebhookProgress(cursor: 0)
        progress.started(1, key: 1)
        progress.started(2, key: 2)
        progress.failed(1, reason: "HTTP 500", at: 100, retryAt: 300)
        progress.failed(2, reason: "HTTP 503", at: 150, retryAt: 250)
        #expect(progress.nextRetryAt == 250)
        #expect(progress.lastError == "HTTP 503" && progress.failures == 2)
        progress.delivered(2, at: 260)
        #expect(progress.nextRetryAt == 300)
        progress.delivered(1, at: 310)
        #expect(progress.nextRetryAt == nil && progress.cursor == 2)
    }
}

@Suite struct WebhookTargetCheckTests {
    @Test(arguments: [
        ("http://127.0.0.1:3000/x", true), ("http://localhost:3000/", true), ("http://[::1]:3000/", true),
        ("http://127.0.0.2:3000/", true), ("http://0.0.0.0:3000/", true), ("http://api.localhost:3000/", true),
        ("http://127.0.0.1:3001/", false), ("http://hooks.example.com:3000/", false), ("http://localhost/", false),
    ])
    func urlsOnThisServersPortAndHostAreItself(url: String, itself: Bool) throws {
        let parsed = try #require(URL(string: url))
        #expect(WebhookTargetCheck.pointsAtServer(parsed, host: "127.0.0.1", port: 3000) == itself)
    }

    @Test func theDefaultPortOfTheSchemeCounts() throws {
        let parsed = try #require(URL(string: "https://parley.example.com/hook"))
        #expect(WebhookTargetCheck.pointsAtServer(parsed, host: "parley.example.com", port: 443))
        #expect(!WebhookTargetCheck.pointsAtServer(parsed, host: "parley.example.com", port: 80))
    }
}

@Suite struct WebhookEventNameTests {
    @Test func logTypesMapToChatwootsEvents() {
        #expect(WebhookPayloads.eventName(forLogType: MessageCreated.type) == "message_created")
        #expect(WebhookPayloads.eventName(forLogType: MessageDeleted.type) == "message_updated")
        #expect(WebhookPayloads.eventName(forLogType: AssigneeChanged.type) == "conversation_updated")
        #expect(WebhookPayloads.eventName(forLogType: LabelsChanged.type) == "conversation_updated")
        #expect(WebhookPayloads.eventName(forLogType: TypingOff.type) == "conversation_typing_off")
        #expect(WebhookPayloads.eventName(forLogType: ContactUpdated.type) == "contact_updated")
        #expect(WebhookPayloads.eventName(forLogType: ConversationRead.type) == nil)
        #expect(WebhookPayloads.eventName(forLogType: WebhookSaved.type) == nil)
        let named = [
            MessageCreated.type, MessageUpdated.type, ConversationCreated.type, ConversationStatusChanged.type,
            AssigneeChanged.type, TypingOn.type, TypingOff.type, ContactCreated.type, ContactUpdated.type,
        ].compactMap(WebhookPayloads.eventName(forLogType:))
        #expect(Set(named) == Set(WebhookEvents.all))
    }
}

@Suite struct WebhookSettingsTests {
    @Test func webhookSettingsComeFromTheEnvironmentWithinBounds() throws {
        var settings = ServerConfiguration()
        #expect(settings.webhookTimeout == 5 && settings.webhookRetryAge == 86_400 && settings.webhookConcurrency == 8)
        try settings.apply(environment: [
            "PARLEY_WEBHOOK_TIMEOUT": "2", "PARLEY_WEBHOOK_RETRY_AGE": "60", "PARLEY_WEBHOOK_RETRY_BASE_MS": "10",
            "PARLEY_WEBHOOK_RETRY_MAX_MS": "100", "PARLEY_WEBHOOK_CONCURRENCY": "4",
        ])
        #expect(settings.webhookTimeout == 2 && settings.webhookRetryAge == 60 && settings.webhookConcurrency == 4)
        #expect(settings.webhookRetryBaseMilliseconds == 10 && settings.webhookRetryMaxMilliseconds == 100)
        for (setting, value) in [("webhook_timeout", "0"), ("webhook_retry_age", "0"), ("webhook_concurrency", "1000")] {
            #expect(throws: ServerConfiguration.Failure.self) { try settings.set(setting, to: value) }
        }
    }
}
