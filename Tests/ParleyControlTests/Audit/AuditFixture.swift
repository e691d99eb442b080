import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections
import ParleyServer

/// A scratch directory for one test: a data directory, a 32-byte key, room
/// for exports; removed by ``remove()``.
struct AuditScratch {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("parleyctl-audit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: key))
    }

    var data: String { root + "/data" }
    var key: String { root + "/audit.key" }

    func path(_ name: String) -> String { root + "/" + name }

    /// The names in the scratch directory, to show an export left nothing behind.
    func files() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: root).sorted() }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// A known log, made through the ledger as the server would make it.
///
/// Account 1: an administrator (user 1, token ``adminToken``) added by the
/// platform, an inbox, a team, a sign-in recorded by the system, a contact
/// and a conversation with a message and a typing indicator, then three
/// labels a few milliseconds apart (ids 2 to 4: label ids are global).
/// Account 2: created, with one label (id 1).
enum AuditSeed {
    static let adminToken = "parleyctl-audit-admin-token"

    /// Account 1's audit trail: action, actor, target type and id.
    static let accountOneTrail: [(String, Actor, String, UInt64?)] = [
        ("account.created", .system, "Account", 1), ("account_user.added", .system, "User", 1),
        ("inbox.created", .agent(1), "Inbox", 1), ("inbox.members_changed", .agent(1), "Inbox", 1),
        ("team.created", .agent(1), "Team", 1), ("sign_in", .system, "User", 1),
        ("label.created", .agent(1), "Label", 2), ("label.created", .agent(1), "Label", 3),
        ("label.created", .agent(1), "Label", 4),
    ]

    static func seed(_ path: String) async throws {
        let ledger = try await CommandLedger.open(at: path)
        do {
            try await commands(ledger)
        } catch {
            await ledger.close()
            throw error
        }
        await ledger.close()
    }

    private static func commands(_ ledger: CommandLedger) async throws {
        func run(_ account: UInt64, _ principal: Principal, _ action: Action) async throws {
            _ = try await ledger.execute(Command(accountID: account, principal: principal, action: action))
        }
        try await run(Platform.accountID, .platform, .createAccount(name: "Acme", locale: "en"))
        try await run(
            Platform.accountID, .platform, .createUser(name: "Ada", email: "ada@acme.test", tokenSha256: Crypto.sha256Hex(adminToken)))
        try await run(1, .platform, .addAccountUser(userID: 1, role: .administrator))
        try await run(
            1, .user(1),
            .createInbox(channelType: .api, inboxIdentifier: "inbox-one", hmacToken: "secret", settings: InboxSettings(name: "Support")))
        try await run(1, .user(1), .setInboxMembers(inboxID: 1, userIDs: [1]))
        try await run(1, .user(1), .createTeam(name: "Tier 1", description: ""))
        try await run(Platform.accountID, .platform, .createAccount(name: "Other", locale: "en"))
        try await run(2, .platform, .createLabel(title: "other", description: "", color: ""))
        try await run(1, .system, .recordAudit(action: "sign_in", targetType: "User", targetID: 1, ipAddress: "203.0.113.9", details: [:]))
        try await run(1, .user(1), .createContact(details: ContactDetails(name: "Visitor"), inbox: nil))
        try await run(1, .user(1), .createConversation(NewConversation(inboxID: 1, contactID: 1, sourceID: "visitor-1")))
        try await run(1, .contact(1), .sendMessage(conversationID: 1, message: NewMessage(content: "hello")))
        try await run(1, .user(1), .typing(conversationID: 1, on: true, isPrivate: false))
        for index in 1...3 {
            try await Task.sleep(for: .milliseconds(15))
            try await run(1, .user(1), .createLabel(title: "label-\(index)", description: "", color: ""))
        }
    }

    /// The log's epoch and every entry, oldest first.
    static func entries(_ path: String) async throws -> (epoch: String, entries: [LogEntry]) {
        let reader = try await LogReader.open(at: path)
        var entries: [LogEntry] = []
        do {
            while case let page = try await reader.read(after: entries.last?.offset ?? 0, limit: 1024), !page.isEmpty {
                entries += page
            }
        } catch {
            await reader.close()
            throw error
        }
        await reader.close()
        return (reader.epoch, entries)
    }
}
