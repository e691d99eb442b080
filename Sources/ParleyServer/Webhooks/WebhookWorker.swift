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
///
/// Deliveries are not tasks: the worker's task reads the log and starts
/// them; their answers, and the timers of their retries, run on the
/// webhook's event loop and wake the task when one finishes.
final class WebhookWorker: Sendable {
    let target: WebhookTarget
    let progress: Mutex<WebhookProgress>
    let metrics: WebhookMetrics
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// Set when the worker stops: answers still arriving change nothing, retries do not start.
    private let stopping = Atomic<Bool>(false)

    init(target: WebhookTarget, cursor: UInt64) {
        self.target = target
        self.progress = Mutex(WebhookProgress(cursor: cursor))
        self.metrics = WebhookMetrics(webhookID: target.id)
    }

    /// Starts the worker, with connections of its own to its endpoint.
    func start(_ context: WebhookContext) {
        let pool = context.poster.pool(for: target.url)
        task.withLock { $0 = Task { await self.run(context, through: pool) } }
    }

    /// Stops reading and ends the deliveries under way; returns the cursor they left.
    func stop() async -> UInt64 {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
        return progress.withLock { $0.cursor }
    }

    /// What a delivery's answer tells the worker's task.
    private struct Signals: Sendable {
        /// A delivery finished: there may be room for the next.
        let freed: AsyncStream<Void>.Continuation
        /// A delivery failed past the retry age, with the reason.
        let gaveUp: AsyncStream<String>.Continuation
    }

    private func run(_ context: WebhookContext, through pool: Result<WebhookConnectionPool, WebhookEndpointError>) async {
        let after = progress.withLock { $0.cursor }
        let (freed, freedSink) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let (gaveUp, gaveUpSink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        let signals = Signals(freed: freedSink, gaveUp: gaveUpSink)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await reason in gaveUp {
                    await context.gaveUp(self.target, reason)
                    return
                }
            }
            var wake = freed.makeAsyncIterator()
            do {
                for try await entry in context.log.tail(after: after) {
                    guard let payload = await payload(of: entry, context) else {
                        progress.withLock { $0.passed(entry.offset) }
                        continue
                    }
                    var open = true
                    while open, progress.withLock({ !$0.gaveUp && ($0.inFlight.count >= context.concurrency || $0.holds(payload.orderKey)) }) {
                        open = await wake.next() != nil
                    }
                    if !open || Task.isCancelled || progress.withLock({ $0.gaveUp }) { break }
                    progress.withLock { $0.started(payload.offset, key: payload.orderKey) }
                    attempt(payload, number: 0, since: WebhookContext.now(), context, pool, signals)
                }
            } catch {
                context.logger.error("webhook tail ended", metadata: ["webhook": "\(target.id)", "error": "\(error)"])
            }
            stopping.store(true, ordering: .releasing)
            if case .success(let pool) = pool { try? await pool.shutDown().get() }
            gaveUpSink.finish()
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

    /// Sends attempt `number` (from 0) of `payload`, first tried at `first`.
    private func attempt(
        _ payload: WebhookPayload, number: Int, since first: UInt64, _ context: WebhookContext,
        _ pool: Result<WebhookConnectionPool, WebhookEndpointError>, _ signals: Signals
    ) {
        if stopping.load(ordering: .acquiring) { return }
        if number > 0 {
            metrics.retries.increment()
            progress.withLock { $0.retries += 1 }
        }
        let deliveryID = WebhookSigning.deliveryID(epoch: context.epoch, offset: payload.offset, webhookID: target.id)
        context.poster.post(payload, to: pool, secret: target.secret, deliveryID: deliveryID) { outcome in
            self.settle(payload, outcome, number: number, since: first, context, pool, signals)
        }
    }

    /// Records what came of an attempt and retries a failure after its backoff.
    private func settle(
        _ payload: WebhookPayload, _ outcome: WebhookPoster.Outcome, number: Int, since first: UInt64,
        _ context: WebhookContext, _ pool: Result<WebhookConnectionPool, WebhookEndpointError>, _ signals: Signals
    ) {
        let now = WebhookContext.now()
        guard case .failed(let reason) = outcome else {
            metrics.deliveries.increment()
            metrics.latency.recordMilliseconds(Int64(clamping: now &- payload.appendedAt))
            progress.withLock { $0.delivered(payload.offset, at: now) }
            signals.freed.yield()
            return
        }
        if stopping.load(ordering: .acquiring) { return }
        metrics.failures.increment()
        let deadline = first + context.retryAgeMilliseconds
        guard now < deadline else {
            let firstToGiveUp = progress.withLock { progress in
                progress.failed(payload.offset, reason: reason, at: now, retryAt: nil)
                defer { progress.gaveUp = true }
                return !progress.gaveUp
            }
            if firstToGiveUp { signals.gaveUp.yield(reason) }
            signals.freed.yield()
            return
        }
        let wait = min(context.backoff(attempt: number + 1), deadline - now)
        progress.withLock { $0.failed(payload.offset, reason: reason, at: now, retryAt: now + wait) }
        let loop = (try? pool.get().loop) ?? context.poster.group.next()
        loop.scheduleTask(in: .milliseconds(Int64(wait))) {
            self.attempt(payload, number: number + 1, since: first, context, pool, signals)
        }
    }
}
