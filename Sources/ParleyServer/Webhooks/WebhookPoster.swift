import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends one signed delivery: an HTTP POST of the payload with Chatwoot's
/// headers. Redirects are not followed (a webhook's URL is where events go,
/// checked when it was saved); only a 2xx answer counts as delivered.
struct WebhookPoster: Sendable {
    let client: HTTPClient
    let timeout: TimeAmount

    /// What one attempt came to.
    enum Outcome: Sendable, Equatable {
        case delivered
        /// The reason, as the status API and the failing event show it.
        case failed(String)
    }

    func post(_ payload: WebhookPayload, to url: String, secret: String, deliveryID: String) async -> Outcome {
        let timestamp = UInt64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Parley-Webhooks")
        request.headers.add(name: "X-Chatwoot-Event", value: payload.event)
        request.headers.add(name: "X-Chatwoot-Delivery", value: deliveryID)
        request.headers.add(name: "X-Chatwoot-Timestamp", value: String(timestamp))
        request.headers.add(
            name: "X-Chatwoot-Signature", value: WebhookSigning.signature(secret: secret, timestamp: timestamp, body: payload.body))
        request.body = .bytes(ByteBuffer(bytes: payload.body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            // Read (and drop) the answer so the connection can be reused.
            _ = try await response.body.collect(upTo: 64 << 10)
            guard (200..<300).contains(response.status.code) else {
                return .failed("HTTP \(response.status.code) \(response.status.reasonPhrase)")
            }
            return .delivered
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failed("timed out after \(timeout.nanoseconds / 1_000_000) ms")
        } catch {
            return .failed(Self.describe(error))
        }
    }

    /// A short, stable description of a transport error (connection refused, unknown host …).
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) : text
    }
}
