import Foundation
import ParleyLog
import ParleyProjections
import ParleyServer

/// `parleyctl token`: a realtime token for a member, signed with the
/// account's key (derived from the secrets in the data directory), issued by
/// the running server when there is one and from the directory otherwise.
public enum RealtimeTokenIssue {
    public struct Summary: Encodable, Sendable {
        public var token: String
        public var expiresAt: UInt64
        public var channels: [String]
    }

    public static func run(data: String, account: UInt64, user: UInt64, ttl: Int?) async throws -> Summary {
        _ = try await DataDirectoryCheck.existingLog(at: data)
        if let server = await AdminClient.running(data: data) {
            var request: [String: Any] = ["account": account, "user": user]
            if let ttl { request["ttl"] = ttl }
            let answer = try await server.request("POST", "/admin/v1/realtime_token", json: request)
            guard let token = answer["token"] as? String, let expiresAt = answer["expires_at"] as? NSNumber,
                let channels = answer["channels"] as? [String]
            else { throw ControlError("the server's realtime token answer is malformed") }
            return Summary(token: token, expiresAt: expiresAt.uint64Value, channels: channels)
        }
        return try await offline(data: data, account: account, user: user, ttl: ttl)
    }

    /// Opens the directory's ledger (refused while a server holds it) to
    /// check the member, and signs with the stored secrets.
    private static func offline(data: String, account: UInt64, user: UInt64, ttl: Int?) async throws -> Summary {
        let secretsPath = data + "/" + ServerSecrets.fileName
        guard let stored = FileManager.default.contents(atPath: secretsPath) else {
            throw ControlError("\(data) has no \(ServerSecrets.fileName): start `parley serve` on it once to make the server's secrets")
        }
        let secrets: ServerSecrets
        do {
            secrets = try JSONDecoder().decode(ServerSecrets.self, from: stored)
        } catch {
            throw ControlError("\(secretsPath) is unreadable: \(error)")
        }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = data
        let ledger = try await CommandLedger.open(at: data)
        let api = ParleyAPI(ledger: ledger, secrets: secrets, configuration: configuration)
        let issued = Result { () throws(RealtimeTokenRefusal) in try api.issueRealtimeToken(account: account, user: user, ttl: ttl) }
        // Issuing only reads: the directory is left as it was found.
        await ledger.close(checkpoint: false)
        switch issued {
        case .success(let issued): return Summary(token: issued.token, expiresAt: issued.expiresAt, channels: issued.channels)
        case .failure(let refusal): throw ControlError(refusal.description)
        }
    }
}
