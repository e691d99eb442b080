import Foundation

/// The server's own secrets, kept in `parley-server.json` in the data
/// directory (mode 0600): the SHA-256 of the platform token, and the secret
/// that derives per-request secrets for idempotent retries.
public struct ServerSecrets: Sendable, Hashable, Codable {
    public static let fileName = "parley-server.json"

    public var platformTokenSha256: String
    public var derivationSecret: String

    enum CodingKeys: String, CodingKey {
        case platformTokenSha256 = "platform_token_sha256"
        case derivationSecret = "derivation_secret"
    }

    /// What opening the secrets did, so the server can print a new token once.
    public enum Origin: Sendable, Hashable {
        case stored
        /// A platform token was generated; this is the only time it is shown.
        case generated(token: String)
        case configured
    }

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "cannot use \(path): \(reason)"
            }
        }
    }

    /// Loads the secrets from `directory`, creating them on first start. A
    /// configured platform token replaces the stored one.
    public static func open(in directory: String, platformToken: String?) throws -> (ServerSecrets, Origin) {
        let path = directory + "/" + fileName
        var secrets: ServerSecrets
        var origin = Origin.stored
        if FileManager.default.fileExists(atPath: path) {
            do {
                secrets = try JSONDecoder().decode(ServerSecrets.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw Failure.unreadable(path: path, reason: "\(error)")
            }
        } else {
            let token = Crypto.randomHex(bytes: 24)
            secrets = ServerSecrets(platformTokenSha256: Crypto.sha256Hex(token), derivationSecret: Crypto.randomHex(bytes: 32))
            origin = .generated(token: token)
        }
        if let platformToken {
            secrets.platformTokenSha256 = Crypto.sha256Hex(platformToken)
            origin = .configured
        }
        try secrets.write(to: path)
        return (secrets, origin)
    }

    private func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let temporary = path + ".tmp"
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: temporary), options: .atomic)
            chmod(temporary, 0o600)
            guard rename(temporary, path) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        } catch {
            throw Failure.unreadable(path: path, reason: "\(error)")
        }
    }
}
