import ParleyDomain
import Testing

@testable import ParleyProjections
@testable import ParleyServer

@Suite struct IdempotencyKeysTests {
    private let message = NewMessage(content: "hi")

    @Test func keysCountPerThingActedOn() {
        let first = IdempotencyKeys.ledgerKey("k", for: .sendMessage(conversationID: 1, message: message))
        let second = IdempotencyKeys.ledgerKey("k", for: .sendMessage(conversationID: 2, message: message))
        #expect(first == "conversation/1:k")
        #expect(first != second)
        #expect(IdempotencyKeys.ledgerKey("k", for: .deleteMessage(conversationID: 1, messageID: 9)) == "message/9:k")
        #expect(IdempotencyKeys.ledgerKey("k", for: .setInboxMembers(inboxID: 3, userIDs: [])) == "inbox/3:k")
    }

    @Test func creationsKeepTheKeyAlone() {
        #expect(IdempotencyKeys.ledgerKey("k", for: .createTeam(name: "T", description: "")) == "k")
        #expect(IdempotencyKeys.ledgerKey("k", for: .saveWebhook(id: nil, url: "https://x.example", subscriptions: [])) == "k")
        #expect(IdempotencyKeys.ledgerKey("k", for: .saveWebhook(id: 4, url: "https://x.example", subscriptions: [])) == "webhook/4:k")
    }

    /// Every key `idempotencyKey(_:)` accepts (255 bytes) fits the log's 200
    /// bytes once the ledger adds the caller and the action; before, keys
    /// over about 170 bytes were refused by the log with a 400.
    @Test func theLongestAcceptedKeyFitsTheLog() {
        let longest = String(repeating: "~", count: 255)
        let action = Action.updateMessage(conversationID: 1, messageID: 1 << 52, content: "", contentAttributes: [:])
        let ledgerKey = IdempotencyKeys.ledgerKey(longest, for: action)
        let stored = CommandLedger.scopedKey(
            ledgerKey, for: Command(accountID: 1 << 52, principal: .user(1 << 52), action: action))
        #expect(ledgerKey.hasPrefix("sha256:"))
        #expect(stored.utf8.count <= 200)
        #expect(IdempotencyKeys.ledgerKey(String(longest.dropLast()), for: action) != ledgerKey)
    }
}
