import Foundation
import ParleyDomain
import ParleyProjections
import ParleyServer

/// A data directory as a server leaves it: secrets, and a log made through the
/// ledger with account 1, its administrator (user 1), an inbox, and user 2,
/// who belongs to no account.
enum LedgerLog {
    static func write(at path: String) async throws {
        let ledger = try await CommandLedger.open(at: path)
        do {
            func run(_ account: UInt64, _ principal: Principal, _ action: Action) async throws {
                _ = try await ledger.execute(Command(accountID: account, principal: principal, action: action))
            }
            let hash = String(repeating: "0", count: 64)
            try await run(Platform.accountID, .platform, .createAccount(name: "Acme", locale: "en"))
            try await run(Platform.accountID, .platform, .createUser(name: "Ann", email: "ann@acme.test", tokenSha256: hash))
            try await run(Platform.accountID, .platform, .createUser(name: "Bob", email: "bob@other.test", tokenSha256: hash))
            try await run(1, .platform, .addAccountUser(userID: 1, role: .administrator))
            try await run(
                1, .user(1),
                .createInbox(channelType: .api, inboxIdentifier: "support", hmacToken: "hmac", settings: InboxSettings(name: "Support")))
        } catch {
            await ledger.close()
            throw error
        }
        await ledger.close()
        _ = try ServerSecrets.open(in: path, platformToken: nil)
    }
}
