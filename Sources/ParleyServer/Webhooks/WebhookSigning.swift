import ParleyDomain
import ParleyProjections

/// The secrets and ids of Chatwoot's signed webhooks.
///
/// A webhook's secret is derived from the server's derivation secret and the
/// nonce its creation stored, so the log and its exports never hold it, a
/// retried creation (same `Idempotency-Key`) shows the same secret, and it is
/// shown only in the response that created the webhook.
enum WebhookSigning {
    /// The webhook's signing secret: 48 hex digits.
    static func secret(of webhook: WebhookView, serverSecret: String) -> String {
        let nonce = webhook.secretNonce ?? "account/\(webhook.accountID)/webhook/\(webhook.id)"
        return String(Crypto.hmacSHA256Hex(key: serverSecret, message: "webhook-secret\u{0}\(nonce)").prefix(48))
    }

    /// `X-Chatwoot-Signature`: `sha256=` and the hex HMAC-SHA256 of `{timestamp}.{body}` under the secret.
    static func signature(secret: String, timestamp: UInt64, body: [UInt8]) -> String {
        let message = Array("\(timestamp).".utf8) + body
        return "sha256=" + Crypto.hex(Crypto.hmacSHA256(key: Array(secret.utf8), message: message))
    }

    /// `X-Chatwoot-Delivery`: UUID-shaped, the same for every attempt to send
    /// one event to one webhook (also after a restart), so receivers can
    /// drop repeats. Made of the event's id (the epoch and the offset), so a
    /// restored log (a new epoch) never reuses an id for another event.
    static func deliveryID(epoch: String, offset: UInt64, webhookID: UInt64) -> String {
        let hex = Array(Crypto.sha256Hex("\(EventEnvelope.id(epoch: epoch, offset: offset))/webhook/\(webhookID)").utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in hex.prefix(32).enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { out.append(UInt8(ascii: "-")) }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
