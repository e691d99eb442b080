import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ParleyLog
import ParleyProjections
import Synchronization

/// What every webhook worker shares: the log, the renderer, the HTTP client
/// and the retry policy.
struct WebhookContext: Sendable {
    let log: EventLog
    let payloads: WebhookPayloads
    let poster: WebhookPoster
    let epoch: String
    /// Deliveries one webhook has under way at once.
    let concurrency: Int
    let retryBaseMilliseconds: UInt64
    let retryMaxMilliseconds: UInt64
    let retryAgeMilliseconds: UInt64
    let logger: Logger
    /// Called once when a delivery failed past the retry age, with the reason.
    let gaveUp: @Sendable (WebhookTarget, String) async -> Void

    static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    /// The wait before retry number `attempt` (from 1): the base doubled each
    /// time up to the maximum, then between half and all of it at random, so
    /// many webhooks failing together do not retry together.
    func backoff(attempt: Int) -> UInt64 {
        let doubled = retryBaseMilliseconds << UInt64(min(attempt - 1, 40))
        let capped = min(doubled, retryMaxMilliseconds)
        return capped / 2 + UInt64.random(in: 0...(capped - capped / 2))
    }
}

/// Delivers one webhook's events: a subscriber of the whole log from its
/// cursor, in its own task, so a slow or dead endpoint holds up only itself.
///
/// Up to ``WebhookContext/concurrency`` deliveries run at once, never two of
/// the same conversation (or contact): a delivery waits for the one before it
/// in the same conversation, so each conversation's events arrive in log
/// order. A failed delivery is retried with backoff until it succeeds or the
/// retry age passes; then the worker starts nothing more and the dispatcher
/// marks the webhook failing, keeping the cursor before the event.
final class WebhookWorker: Sendable {
    let target: WebhookTarget
    let progress: Mutex<WebhookProgress>
    let metrics: WebhookMetrics
    /// The request every delivery starts from: the URL is parsed once.
    private let endpoint: Result<HTTPClient.Request, WebhookEndpointError>
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(target: WebhookTarget, cursor: UInt64) {
        self.target = target
        self.progress = Mutex(WebhookProgress(cursor: cursor))
        self.metrics = WebhookMetrics(webhookID: target.id)
        self.endpoint = WebhookPoster.endpoint(target.url)
    }

    /// Starts the worker, with one of the HTTP client's event loops for all
    /// its deliveries: answers come back on it, and the client's pool
    /// prefers connections on it.
    func start(_ context: WebhookContext) {
        let loop = context.poster.client.eventLoopGroup.next()
        task.withLock { $0 = Task { await self.run(context, on: loop) } }
    }

    /// Stops reading and cancels the deliveries under way; returns the cursor they left.
    func stop() async -> UInt64 {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
        return progress.withLock { $0.cursor }
    }

    private func run(_ context: WebhookContext, on loop: any EventLoop) async {
        let after = progress.withLock { $0.cursor }
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            do {
                for try await entry in context.log.tail(after: after) {
                    guard let payload = await payload(of: entry, context) else {
                        progress.withLock { $0.passed(entry.offset) }
                        continue
                    }
                    // A delivery that gave up keeps its key (and the cursor before it): stop then.
                    var waited = true
                    while waited, running >= context.concurrency || progress.withLock({ $0.holds(payload.orderKey) }) {
                        waited = await group.next() != nil
                        running -= waited ? 1 : 0
                    }
                    if !waited || Task.isCancelled || progress.withLock({ $0.gaveUp }) { break }
                    progress.withLock { $0.started(payload.offset, key: payload.orderKey) }
                    group.addTask { await self.deliver(payload, context, on: loop) }
                    running += 1
                }
            } catch {
                context.logger.error("webhook tail ended", metadata: ["webhook": "\(target.id)", "error": "\(error)"])
            }
            if progress.withLock({ $0.gaveUp }) { group.cancelAll() }
        }
    }

    /// The payload of `entry` for this webhook, or nil when it sends nothing
    /// (another account, an event it is not subscribed to, another inbox's
    /// event for an inbox's callback, an object gone).
    private func payload(of entry: LogEntry, _ context: WebhookContext) async -> WebhookPayload? {
        guard target.mayReceive(entry), let name = WebhookPayloads.eventName(forLogType: entry.type),
            target.subscriptions.contains(name)
        else { return nil }
        do {
            return try await context.payloads.render(entry, event: name)
        } catch {
            // An entry that cannot be read now never will be: recorded, and passed.
            let reason = "cannot render offset \(entry.offset): \(error)"
            progress.withLock { $0.failed(entry.offset, reason: reason, at: WebhookContext.now(), retryAt: nil) }
            context.logger.error("webhook payload", metadata: ["webhook": "\(target.id)", "error": "\(reason)"])
            return nil
        }
    }

    private func deliver(_ payload: WebhookPayload, _ context: WebhookContext, on loop: any EventLoop) async {
        let deliveryID = WebhookSigning.deliveryID(epoch: context.epoch, offset: payload.offset, webhookID: target.id)
        let firstAttempt = WebhookContext.now()
        var attempt = 0
        while !Task.isCancelled {
            if attempt > 0 {
                metrics.retries.increment()
                progress.withLock { $0.retries += 1 }
            }
            let outcome = await context.poster.post(payload, to: endpoint, on: loop, secret: target.secret, deliveryID: deliveryID)
            let now = WebhookContext.now()
            guard case .failed(let reason) = outcome else {
                metrics.deliveries.increment()
                metrics.latency.recordMilliseconds(Int64(clamping: now &- payload.appendedAt))
                progress.withLock { $0.delivered(payload.offset, at: now) }
                return
            }
            metrics.failures.increment()
            if Task.isCancelled { return }
            attempt += 1
            let deadline = firstAttempt + context.retryAgeMilliseconds
            guard now < deadline else {
                progress.withLock { $0.failed(payload.offset, reason: reason, at: now, retryAt: nil) }
                let first = progress.withLock { progress in
                    defer { progress.gaveUp = true }
                    return !progress.gaveUp
                }
                if first { await context.gaveUp(target, reason) }
                return
            }
            let wait = min(context.backoff(attempt: attempt), deadline - now)
            progress.withLock { $0.failed(payload.offset, reason: reason, at: now, retryAt: now + wait) }
            do {
                try await Task.sleep(for: .milliseconds(wait))
            } catch {
                return
            }
        }
    }
}
