import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Sends signed deliveries: an HTTP POST of the payload with Chatwoot's
/// headers, over the webhook's own ``WebhookConnectionPool``. Redirects are
/// not followed (a webhook's URL is where events go, checked when it was
/// saved); only a 2xx answer counts as delivered.
///
/// Parley sends through its own small HTTP/1.1 client on SwiftNIO rather
/// than async-http-client: a delivery is then one write of head and body
/// and one read of the answer, with no per-request state machines, which
/// halved a delivery's server CPU (see the README's webhook figures).
struct WebhookPoster: Sendable {
    let group: any EventLoopGroup
    let timeout: TimeAmount
    /// Connections one webhook keeps open at most.
    let connections: Int
    /// The TLS context of `https` endpoints, or why there is none.
    let tls: Result<NIOSSLContext, WebhookEndpointError>

    init(group: any EventLoopGroup, timeout: TimeAmount, connections: Int, tls: TLSConfiguration = .makeClientConfiguration()) {
        self.group = group
        self.timeout = timeout
        self.connections = connections
        do {
            self.tls = .success(try NIOSSLContext(configuration: tls))
        } catch {
            self.tls = .failure(WebhookEndpointError(reason: "TLS unavailable: \(Self.describe(error))"))
        }
    }

    /// What one attempt came to.
    enum Outcome: Sendable, Equatable {
        case delivered
        /// The reason, as the status API and the failing event show it.
        case failed(String)
    }

    /// The connections for a webhook at `url`, or why it cannot have any.
    func pool(for url: String) -> Result<WebhookConnectionPool, WebhookEndpointError> {
        do {
            let endpoint = try WebhookEndpoint(url: url)
            var context: NIOSSLContext?
            if endpoint.secure { context = try tls.get() }
            return .success(
                WebhookConnectionPool(
                    loop: group.next(), endpoint: endpoint, limit: connections, tls: context, connectTimeout: timeout))
        } catch {
            return .failure(error)
        }
    }

    /// Sends `payload` signed with `secret`; `outcome` is called once with
    /// what came of it, on the webhook's event loop.
    func post(
        _ payload: WebhookPayload, to connections: Result<WebhookConnectionPool, WebhookEndpointError>, secret: String,
        deliveryID: String, outcome: @escaping @Sendable (Outcome) -> Void
    ) {
        let pool: WebhookConnectionPool
        switch connections {
        case .success(let ready): pool = ready
        case .failure(let error): return outcome(.failed(error.reason))
        }
        let timestamp = UInt64(Date().timeIntervalSince1970)
        var head = pool.endpoint.head(contentLength: payload.body.count)
        head.headers.add(name: "X-Chatwoot-Event", value: payload.event)
        head.headers.add(name: "X-Chatwoot-Delivery", value: deliveryID)
        head.headers.add(name: "X-Chatwoot-Timestamp", value: String(timestamp))
        head.headers.add(
            name: "X-Chatwoot-Signature", value: WebhookSigning.signature(secret: secret, timestamp: timestamp, body: payload.body))
        let timeout = self.timeout
        pool.post(head: head, body: ByteBuffer(bytes: payload.body), deadline: .now() + timeout) { answer in
            switch answer {
            case .success(let status) where (200..<300).contains(status.code):
                outcome(.delivered)
            case .success(let status):
                outcome(.failed("HTTP \(status.code) \(status.reasonPhrase)"))
            case .failure(let error) where Self.isTimeout(error):
                outcome(.failed("timed out after \(timeout.nanoseconds / 1_000_000) ms"))
            case .failure(let error):
                outcome(.failed(Self.describe(error)))
            }
        }
    }

    private static func isTimeout(_ error: any Error) -> Bool {
        if case WebhookTransportError.timedOut = error { return true }
        if case ChannelError.connectTimeout = error { return true }
        return false
    }

    /// A short, stable description of a transport error (connection refused, unknown host …).
    static func describe(_ error: any Error) -> String {
        let text: String
        switch error {
        case let error as NIOConnectionError:
            let causes = error.connectionErrors.map { "\($0.target): \(describe($0.error))" }
            text = causes.isEmpty ? "cannot resolve \(error.host)" : "cannot connect to " + causes.joined(separator: "; ")
        case let error as IOError:
            text = String(cString: strerror(error.errnoCode))
        default:
            text = String(describing: error)
        }
        return text.count > 200 ? String(text.prefix(200)) : text
    }
}
