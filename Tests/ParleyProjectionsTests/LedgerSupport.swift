import EventSchemaCheck
import Foundation
import ParleyDomain
import Testing
import ParleyLog
import ParleyProjections

/// A fresh directory, removed when the body ends.
func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("parley-ledger-\(UInt64.random(in: 0...UInt64.max))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path + "/log")
}

/// Opens a ledger at `path`, runs `body`, checks every event it stored against
/// its JSON Schema, and always closes it.
func withLedger<T>(at path: String, _ body: (CommandLedger) async throws -> T) async throws -> T {
    var options = LogOptions()
    options.readThreads = 2
    options.blockCacheBytes = 4 << 20
    let ledger = try await CommandLedger.open(at: path, options: options)
    do {
        let result = try await body(ledger)
        try await expectSchemaConformance(ledger)
        await ledger.close()
        return result
    } catch {
        await ledger.close()
        throw error
    }
}

/// Every stored event, as published, matches its JSON Schema, and the
/// envelope spliced from its stored bytes (``EnvelopeJSON``) is the JSON the
/// encoder writes.
func expectSchemaConformance(_ ledger: CommandLedger) async throws {
    var after: UInt64 = 0
    let encoder = EventCodec.encoder()
    while true {
        let page = try await ledger.log.read(after: after, limit: 2048)
        guard let last = page.last else { return }
        for entry in page {
            let envelope = try StoredEvent(entry).envelope(epoch: ledger.log.epoch)
            let violations = try EventSchemas.violations(of: envelope)
            #expect(violations.isEmpty, "\(entry.type) at \(entry.offset): \(violations)")
            let spliced = try EnvelopeJSON.write(entry, epoch: ledger.log.epoch)
            let decoder = JSONDecoder()
            let (splicedValue, encodedValue) = (
                try decoder.decode(JSONValue.self, from: Data(spliced)),
                try decoder.decode(JSONValue.self, from: encoder.encode(envelope))
            )
            #expect(splicedValue == encodedValue, "\(entry.type) at \(entry.offset)")
        }
        after = last.offset
    }
}

let tokenHash = String(repeating: "ab", count: 32)

/// One account with an administrator (user 1), an inbox (1) they belong to,
/// a contact (1) and a conversation (display id 1).
func seedAccount(_ ledger: CommandLedger) async throws {
    _ = try await ledger.execute(Command(accountID: Platform.accountID, principal: .platform, action: .createAccount(name: "Acme", locale: "en")))
    _ = try await ledger.execute(
        Command(accountID: Platform.accountID, principal: .platform, action: .createUser(name: "Ada", email: "ada@acme.test", tokenSha256: tokenHash)))
    _ = try await ledger.execute(Command(accountID: 1, principal: .platform, action: .addAccountUser(userID: 1, role: .administrator)))
    _ = try await ledger.execute(
        Command(
            accountID: 1, principal: .user(1),
            action: .createInbox(channelType: .api, inboxIdentifier: "inbox-one", hmacToken: "secret", settings: InboxSettings(name: "Support"))))
    _ = try await ledger.execute(Command(accountID: 1, principal: .user(1), action: .setInboxMembers(inboxID: 1, userIDs: [1])))
    _ = try await ledger.execute(
        Command(accountID: 1, principal: .user(1), action: .createContact(details: ContactDetails(name: "Visitor"), inbox: nil)))
    _ = try await ledger.execute(
        Command(accountID: 1, principal: .user(1), action: .createConversation(NewConversation(inboxID: 1, contactID: 1, sourceID: "visitor-1"))))
}

func send(_ ledger: CommandLedger, _ content: String, as principal: Principal = .contact(1), key: String? = nil) async throws -> CommandOutcome {
    try await ledger.execute(
        Command(accountID: 1, principal: principal, action: .sendMessage(conversationID: 1, message: NewMessage(content: content))),
        idempotencyKey: key)
}

/// The message ids of an outcome's `message.created` events.
func messageIDs(_ outcome: CommandOutcome) -> [UInt64] {
    outcome.events.compactMap { if case .messageCreated(let message) = $0.event.body { message.messageID } else { nil } }
}
