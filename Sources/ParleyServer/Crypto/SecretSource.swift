/// Makes the secrets commands carry (access tokens, inbox identifiers, HMAC
/// tokens, source ids).
///
/// A request with an idempotency key gets secrets derived from the server's
/// secret and that key, so a retry carries the very same secrets and the
/// ledger recognises it as the same command, answering with the same token.
/// Without a key, secrets are random.
public struct SecretSource: Sendable {
    let serverSecret: String
    let idempotencyKey: String?

    public init(serverSecret: String, idempotencyKey: String?) {
        self.serverSecret = serverSecret
        self.idempotencyKey = idempotencyKey
    }

    /// A 48-character hex secret for `purpose`.
    public func make(_ purpose: String) -> String {
        guard let idempotencyKey else { return Crypto.randomHex(bytes: 24) }
        return String(Crypto.hmacSHA256Hex(key: serverSecret, message: "\(purpose)\u{0}\(idempotencyKey)").prefix(48))
    }
}
