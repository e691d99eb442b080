import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one signed delivery: an HTTP POST of the payload with Chatwoot's
/// headers. Redirects are not followed (a webhook's URL is where events go,
/// checked when it was saved); only a 2xx answer counts as delivered.
///
/// Deliveries go through the client's future-based API with a request made
/// once per endpoint: the URL is parsed once, not on every POST, and the
/// answer's body is dropped as it arrives rather than streamed to a task.
/// Each is answered on the event loop the caller names (its worker's), which
/// the client's pool prefers for the connection too.
struct WebhookPoster: Sendable {
    let client: HTTPClient
    let timeout: TimeAmount

    /// What one attempt came to.
    enum Outcome: Sendable, Equatable {
        case delivered
        /// The reason, as the status API and the failing event show it.
        case failed(String)
    }

    /// The request every delivery to `url` starts from, or why there can be none.
    static func endpoint(_ url: String) -> Result<HTTPClient.Request, WebhookEndpointError> {
        do {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "User-Agent", value: "Parley-Webhooks")
            return .success(try HTTPClient.Request(url: url, method: .POST, headers: headers))
        } catch {
            return .failure(WebhookEndpointError(reason: "invalid URL: \(describe(error))"))
        }
    }

    func post(
        _ payload: WebhookPayload, to endpoint: Result<HTTPClient.Request, WebhookEndpointError>, on loop: any EventLoop,
        secret: String, deliveryID: String
    ) async -> Outcome {
        var request: HTTPClient.Request
        switch endpoint {
        case .success(let template): request = template
        case .failure(let error): return .failed(error.reason)
        }
        let timestamp = UInt64(Date().timeIntervalSince1970)
        request.headers.add(name: "X-Chatwoot-Event", value: payload.event)
        request.headers.add(name: "X-Chatwoot-Delivery", value: deliveryID)
        request.headers.add(name: "X-Chatwoot-Timestamp", value: String(timestamp))
        request.headers.add(
            name: "X-Chatwoot-Signature", value: WebhookSigning.signature(secret: secret, timestamp: timestamp, body: payload.body))
        request.body = .byteBuffer(ByteBuffer(bytes: payload.body))
        let task = client.execute(
            request: request, delegate: StatusDelegate(), eventLoop: .delegate(on: loop), deadline: .now() + timeout)
        do {
            let status = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            guard (200..<300).contains(status.code) else { return .failed("HTTP \(status.code) \(status.reasonPhrase)") }
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

/// A webhook URL the HTTP client cannot send to; every delivery fails with it.
struct WebhookEndpointError: Error, Sendable {
    var reason: String
}

/// Keeps the answer's status and drops its body (read, so the connection
/// can be reused). The client calls it on the connection's event loop only,
/// one call at a time, which is what makes the mutable status safe.
private final class StatusDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    private var status: HTTPResponseStatus = .internalServerError

    func didReceiveHead(task: HTTPClient.Task<HTTPResponseStatus>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = head.status
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<HTTPResponseStatus>) throws -> HTTPResponseStatus {
        status
    }
}
