import Testing

@testable import ParleyDomain

/// An API inbox's callback URL (`channel.webhook_url`): an inbox-scoped
/// webhook made, moved and deleted in the same batch as the inbox's own event.
@Suite struct InboxCallbackRuleTests {
    static let nonce = "0123456789abcdef0123456789abcdef"

    private func createAPIInbox(
        _ world: inout World, _ acme: Tenant, url: String, channelType: ChannelType = .api
    ) throws(DomainError) -> [DomainEvent] {
        try world.run(
            .user(acme.admin),
            .createInbox(
                channelType: channelType, inboxIdentifier: "callback-inbox", hmacToken: "h", settings: InboxSettings(name: "CRM"),
                callback: .deliver(url: url, secretNonce: Self.nonce)),
            in: acme.account)
    }

    @Test func creatingAnAPIInboxWithAURLMakesItsCallbackWebhookInTheSameBatch() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let inbox = world.state.nextInboxID
        let webhook = world.state.nextWebhookID
        let events = try createAPIInbox(&world, acme, url: "https://crm.example.com/hook")
        #expect(events.map(\.type) == ["inbox.created", "webhook.saved"])
        #expect(events[1].streams == ["account:\(acme.account)", "audit:\(acme.account)"])
        #expect(
            events[1].body
                == .webhookSaved(
                    WebhookSaved(
                        webhookID: webhook, url: "https://crm.example.com/hook",
                        subscriptions: [
                            "conversation_created", "conversation_status_changed", "conversation_typing_off",
                            "conversation_typing_on", "conversation_updated", "message_created", "message_updated",
                        ],
                        secretNonce: Self.nonce, inboxID: inbox)))
        let account = try #require(world.state.accounts[acme.account])
        #expect(account.inboxes[inbox]?.callback == InboxCallback(webhookID: webhook, url: "https://crm.example.com/hook"))
        #expect(account.webhooks.contains(webhook))
        #expect(account.callbackInbox(ofWebhook: webhook) == inbox)
        #expect(world.state.nextWebhookID == webhook + 1)
    }

    @Test func changingTheURLMovesTheSameWebhookAndKeepsItsSecret() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        _ = try createAPIInbox(&world, acme, url: "https://crm.example.com/hook")
        let inbox = world.state.nextInboxID - 1
        let webhook = world.state.nextWebhookID - 1
        let settings = InboxSettings(name: "CRM 2")
        let events = try world.run(
            .user(acme.admin),
            .updateInbox(inboxID: inbox, settings: settings, callback: .deliver(url: "http://other.example/in", secretNonce: "unused-nonce")),
            in: acme.account)
        #expect(
            events.map(\.body) == [
                .inboxUpdated(InboxUpdated(inboxID: inbox, settings: settings)),
                .webhookSaved(
                    WebhookSaved(
                        webhookID: webhook, url: "http://other.example/in", subscriptions: WebhookEvents.inboxCallback, secretNonce: nil,
                        inboxID: inbox)),
            ])
        #expect(world.state.accounts[acme.account]?.inboxes[inbox]?.callback?.url == "http://other.example/in")
        #expect(world.state.nextWebhookID == webhook + 1)

        // The same URL again, or no word about it, changes only the inbox.
        let same = try world.run(
            .user(acme.admin),
            .updateInbox(inboxID: inbox, settings: settings, callback: .deliver(url: "http://other.example/in", secretNonce: Self.nonce)),
            in: acme.account)
        #expect(same.map(\.type) == ["inbox.updated"])
        let silent = try world.run(.user(acme.admin), .updateInbox(inboxID: inbox, settings: settings), in: acme.account)
        #expect(silent.map(\.type) == ["inbox.updated"])
    }

    @Test func clearingTheURLDeletesTheCallbackAndASecondURLMakesANewOne() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        _ = try createAPIInbox(&world, acme, url: "https://crm.example.com/hook")
        let inbox = world.state.nextInboxID - 1
        let webhook = world.state.nextWebhookID - 1
        let settings = InboxSettings(name: "CRM")
        let cleared = try world.run(.user(acme.admin), .updateInbox(inboxID: inbox, settings: settings, callback: .remove), in: acme.account)
        #expect(cleared.map(\.body) == [.inboxUpdated(InboxUpdated(inboxID: inbox, settings: settings)), .webhookDeleted(WebhookDeleted(webhookID: webhook))])
        #expect(world.state.accounts[acme.account]?.inboxes[inbox]?.callback == nil)
        #expect(world.state.accounts[acme.account]?.webhooks.contains(webhook) == false)

        // Nothing to remove: only the inbox changes.
        let again = try world.run(.user(acme.admin), .updateInbox(inboxID: inbox, settings: settings, callback: .remove), in: acme.account)
        #expect(again.map(\.type) == ["inbox.updated"])

        let renewed = try world.run(
            .user(acme.admin),
            .updateInbox(inboxID: inbox, settings: settings, callback: .deliver(url: "https://crm.example.com/new", secretNonce: "second-nonce")),
            in: acme.account)
        #expect(
            renewed.last?.body
                == .webhookSaved(
                    WebhookSaved(
                        webhookID: webhook + 1, url: "https://crm.example.com/new", subscriptions: WebhookEvents.inboxCallback,
                        secretNonce: "second-nonce", inboxID: inbox)))
    }

    @Test func badURLsAndWidgetInboxesAreRefusedWithNothingAppended() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        for url in ["ftp://crm.example.com", "https://crm.example.com/a b", "https://x.example/" + String(repeating: "a", count: 2048)] {
            world.refuse(
                .user(acme.admin),
                .createInbox(
                    channelType: .api, inboxIdentifier: "callback-inbox", hmacToken: "h", settings: InboxSettings(name: "CRM"),
                    callback: .deliver(url: url, secretNonce: Self.nonce)),
                in: acme.account, with: .invalid(field: "webhook_url", reason: "expected an http or https URL"))
            world.refuse(
                .user(acme.admin),
                .updateInbox(inboxID: acme.inbox, settings: InboxSettings(name: "S"), callback: .deliver(url: url, secretNonce: Self.nonce)),
                in: acme.account, with: .invalid(field: "webhook_url", reason: "expected an http or https URL"))
        }
        world.refuse(
            .user(acme.admin),
            .createInbox(
                channelType: .webWidget, inboxIdentifier: "widget", hmacToken: "h", settings: InboxSettings(name: "Site"),
                callback: .deliver(url: "https://crm.example.com/hook", secretNonce: Self.nonce)),
            in: acme.account, with: .invalid(field: "webhook_url", reason: "only an API inbox has a callback URL"))
        // Clearing a widget's (absent) callback is harmless: Chatwoot clients send it empty.
        let widget = try world.run(
            .user(acme.admin),
            .createInbox(
                channelType: .webWidget, inboxIdentifier: "widget", hmacToken: "h", settings: InboxSettings(name: "Site"), callback: .remove),
            in: acme.account)
        #expect(widget.map(\.type) == ["inbox.created"])
        let widgetID = world.state.nextInboxID - 1
        world.refuse(
            .user(acme.admin),
            .updateInbox(
                inboxID: widgetID, settings: InboxSettings(name: "Site"),
                callback: .deliver(url: "https://crm.example.com/hook", secretNonce: Self.nonce)),
            in: acme.account, with: .invalid(field: "webhook_url", reason: "only an API inbox has a callback URL"))
    }

    @Test func onlyAdministratorsSetACallbackAndOnlyOnTheirAccountsInboxes() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        let globex = try world.tenant("Globex")
        world.refusal(
            .user(acme.agent),
            .updateInbox(inboxID: acme.inbox, settings: InboxSettings(name: "S"), callback: .deliver(url: "https://a.example", secretNonce: Self.nonce)),
            in: acme.account, code: "forbidden")
        world.refuse(
            .user(acme.admin),
            .updateInbox(inboxID: globex.inbox, settings: InboxSettings(name: "S"), callback: .deliver(url: "https://a.example", secretNonce: Self.nonce)),
            in: acme.account, with: .notFound("inbox \(globex.inbox)"))
    }

    @Test func theWebhooksAPICannotEditOrDeleteACallbackButPausesIt() throws {
        var world = World()
        let acme = try world.tenant("Acme")
        _ = try createAPIInbox(&world, acme, url: "https://crm.example.com/hook")
        let inbox = world.state.nextInboxID - 1
        let webhook = world.state.nextWebhookID - 1
        let reason = "webhook \(webhook) is the callback URL of inbox \(inbox); change or clear the inbox's channel.webhook_url"
        world.refuse(
            .user(acme.admin), .saveWebhook(id: webhook, url: "https://evil.example/", subscriptions: []), in: acme.account,
            with: .invalid(field: "webhook_id", reason: reason))
        world.refuse(.user(acme.admin), .deleteWebhook(id: webhook), in: acme.account, with: .invalid(field: "webhook_id", reason: reason))
        let paused = try world.run(
            .user(acme.admin), .setWebhookDelivery(id: webhook, state: .paused, reason: nil), in: acme.account)
        #expect(paused.map(\.type) == ["webhook.delivery_changed"])
    }

    /// A `webhook.saved` written before callbacks existed has no `inbox_id`:
    /// both decoders read it as an account webhook.
    @Test func oldWebhookEventsWithoutAnInboxStillDecodeAsAccountWebhooks() throws {
        let stored = Array(
            #"{"actor":{"type":"agent","id":2},"version":1,"payload":{"webhook_id":3,"url":"https://hooks.example.com/a","subscriptions":["message_created"]}}"#
                .utf8)
        let expected = EventBody.webhookSaved(
            WebhookSaved(webhookID: 3, url: "https://hooks.example.com/a", subscriptions: ["message_created"]))
        let read = try EventCodec.decode(type: "webhook.saved", accountID: 1, streams: [], ephemeral: false, bytes: stored)
        let foundation = try EventCodec.decode(
            type: "webhook.saved", accountID: 1, streams: [], ephemeral: false, bytes: stored, with: EventCodec.decoder())
        #expect(read.body == expected)
        #expect(foundation.body == expected)
    }
}
