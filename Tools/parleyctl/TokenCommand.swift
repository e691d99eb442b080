import ArgumentParser
import ParleyControl
import ParleyServer

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issues a realtime (WebSocket) token for a member of an account, for scripts and tests.")

    @Option(help: "The data directory.") var data: String
    @Option(help: "The account id.") var account: UInt64
    @Option(help: "The user id (a member of the account).") var user: UInt64
    @Option(help: "Seconds the token is valid (default: the running server's realtime_token_ttl; 3600 offline).") var ttl: Int?
    @Flag(help: "Print one JSON line with token, expires_at and channels.") var json = false

    func validate() throws {
        if let ttl, !(1...ParleyAPI.maxIssuedTokenTTL).contains(ttl) {
            throw ValidationError("--ttl must be from 1 to \(ParleyAPI.maxIssuedTokenTTL) seconds")
        }
    }

    func run() async throws {
        let summary = try await RealtimeTokenIssue.run(data: data, account: account, user: user, ttl: ttl)
        if json { try printJSONLine(summary) } else { print(summary.token) }
    }
}
