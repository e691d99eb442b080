import ParleyDomain
import Testing

@testable import ParleyProjections
@testable import ParleyServer

/// How an API inbox's callback shows: as the inbox's `webhook_url`, and in
/// the webhooks list as Chatwoot's `inbox_type` webhook naming its inbox.
@Suite struct InboxCallbackJSONTests {
    private func text(_ json: JSONOut) -> String { String(decoding: json.bytes, as: UTF8.self) }

    private let inbox = InboxView(
        accountID: 3, id: 5, channelType: .api, inboxIdentifier: "ident", hmacToken: "hmac", settings: InboxSettings(name: "CRM"),
        createdAt: 0, callback: InboxCallback(webhookID: 9, url: "https://crm.example/hook"))

    @Test func anInboxShowsItsCallbackURLOrNull() {
        #expect(text(.inbox(inbox, showSecrets: false)).contains(#""webhook_url":"https://crm.example/hook""#))
        var plain = inbox
        plain.callback = nil
        #expect(text(.inbox(plain, showSecrets: false)).contains(#""webhook_url":null"#))
    }

    @Test func aCallbackIsAnInboxTypeWebhookAndAnAccountWebhookIsNot() {
        let callback = WebhookView(
            accountID: 3, id: 9, url: "https://crm.example/hook", subscriptions: ["message_created"], inboxID: 5)
        #expect(
            text(.webhook(callback, inbox: inbox))
                == #"{"id":9,"name":null,"url":"https://crm.example/hook","account_id":3,"subscriptions":["message_created"],"#
                + #""webhook_type":"inbox_type","inbox":{"id":5,"name":"CRM"}}"#)
        let account = WebhookView(accountID: 3, id: 2, url: "https://hooks.example", subscriptions: ["message_created"])
        #expect(
            text(.webhook(account, inbox: nil))
                == #"{"id":2,"name":null,"url":"https://hooks.example","account_id":3,"subscriptions":["message_created"],"#
                + #""webhook_type":"account_type"}"#)
    }
}
