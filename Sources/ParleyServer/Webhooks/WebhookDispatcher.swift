import Logging
import NIOCore
import NIOPosix
import ParleyDomain
import ParleyLog
import ParleyProjections
import ServiceLifecycle
import Synchronization

/// Runs one ``WebhookWorker`` per active webhook, and keeps their cursors.
///
/// Every change to the set of workers (a webhook saved, deleted, paused,
/// resumed or marked failing; a redelivery; a cursor flush) goes through
/// one control loop, one at a time, so a worker is never started twice and
/// a cursor written for a redelivery is never overwritten by an older one.
/// The loop learns of configuration changes from the log itself (every
/// `webhook.*` event), so it follows whatever appended them.
public final class WebhookDispatcher: Service, Sendable {
    /// How often moved cursors are written (one synced batch for all webhooks).
    static let flushInterval: Duration = .milliseconds(100)

    let ledger: CommandLedger
    let serverSecret: String
    let configuration: ServerConfiguration
    let logger: Logger
    /// The port the server listens on, once it does: a webhook must not point at it.
    let boundPort = Atomic<Int>(0)

    private let workers = Mutex<[UInt64: WebhookWorker]>([:])
    /// What stopped workers had done, for the status API.
    private let stopped = Mutex<[UInt64: WebhookProgress]>([:])
    /// The cursor last written for each webhook.
    private let persisted = Mutex<[UInt64: UInt64]>([:])
    private let requests: AsyncStream<Request>
    private let requestSink: AsyncStream<Request>.Continuation

    enum Request: Sendable {
        /// `done` is resumed once the workers match the directory.
        case reconcile(done: CheckedContinuation<Void, Never>?)
        case flush
        case redeliver(webhookID: UInt64, after: UInt64, done: CheckedContinuation<Void, any Error>)
    }

    init(ledger: CommandLedger, serverSecret: String, configuration: ServerConfiguration, logger: Logger) {
        self.ledger = ledger
        self.serverSecret = serverSecret
        self.configuration = configuration
        self.logger = logger
        (requests, requestSink) = AsyncStream.makeStream(of: Request.self)
    }

    public func run() async throws {
        // Deliveries run on loops of their own: a webhook's connections never
        // queue behind the API's requests on the server's loops, nor those behind them.
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let context = WebhookContext(
            log: ledger.log, payloads: WebhookPayloads(ledger: ledger),
            poster: WebhookPoster(
                group: loops, timeout: .seconds(Int64(configuration.webhookTimeout)),
                connections: configuration.webhookConcurrency), epoch: ledger.log.epoch,
            concurrency: configuration.webhookConcurrency,
            retryBaseMilliseconds: UInt64(configuration.webhookRetryBaseMilliseconds),
            retryMaxMilliseconds: UInt64(configuration.webhookRetryMaxMilliseconds),
            retryAgeMilliseconds: UInt64(configuration.webhookRetryAge) * 1000, logger: logger,
            gaveUp: { [weak self] target, reason in await self?.markFailing(target, reason: reason) })
        let head = ledger.log.head
        let sink = requestSink
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await Self.forwardConfigurationChanges(log: context.log, after: head, to: sink) }
                group.addTask { await Self.tick(sink) }
                sink.yield(.reconcile(done: nil))
                for await request in requests {
                    await handle(request, context)
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            sink.finish()
        }
        let running = workers.withLock { workers in
            defer { workers.removeAll() }
            return workers
        }
        for (id, worker) in running { await retire(id, worker) }
        await flush()
        try? await loops.shutdownGracefully()
    }

    /// A reconcile for every `webhook.*` event appended after `head`.
    private static func forwardConfigurationChanges(log: EventLog, after head: UInt64, to sink: AsyncStream<Request>.Continuation)
        async
    {
        do {
            for try await entry in log.tail(after: head) where entry.type.hasPrefix("webhook.") {
                sink.yield(.reconcile(done: nil))
            }
        } catch {}
    }

    private static func tick(_ sink: AsyncStream<Request>.Continuation) async {
        while (try? await Task.sleep(for: flushInterval)) != nil {
            sink.yield(.flush)
        }
    }

    private func handle(_ request: Request, _ context: WebhookContext) async {
        switch request {
        case .reconcile(let done):
            await reconcile(context)
            done?.resume()
        case .flush:
            await flush()
        case .redeliver(let id, let after, let done):
            do {
                try await redeliver(id, after: after, context)
                done.resume()
            } catch {
                done.resume(throwing: error)
            }
        }
    }

    // MARK: Workers

    /// Starts a worker for every active webhook that has none, and stops
    /// those of webhooks deleted, held, or changed (restarted with the change).
    private func reconcile(_ context: WebhookContext) async {
        let webhooks = ledger.withProjections { $0.directory.allWebhooks }
        var wanted: [UInt64: (view: WebhookView, target: WebhookTarget)] = [:]
        for webhook in webhooks where webhook.delivery == nil {
            wanted[webhook.id] = (webhook, target(of: webhook))
        }
        let outdated = workers.withLock { workers in
            let ids = workers.filter { wanted[$0.key]?.target != $0.value.target }.map(\.key)
            return ids.compactMap { id in workers.removeValue(forKey: id).map { (id, $0) } }
        }
        for (id, worker) in outdated { await retire(id, worker) }
        for (id, webhook) in wanted.sorted(by: { $0.key < $1.key }) where workers.withLock({ $0[id] == nil }) {
            let cursor: UInt64
            do {
                cursor = try await lastCursor(of: webhook.view)
            } catch {
                logger.error("cannot read a webhook cursor", metadata: ["webhook": "\(id)", "error": "\(error)"])
                continue
            }
            start(WebhookWorker(target: webhook.target, cursor: cursor), context)
        }
    }

    /// Where a stopped webhook's deliveries resume: the cursor this server
    /// wrote last (the log's reads see only what its latest fsync covered,
    /// which may predate that write and would repeat deliveries), else the
    /// stored one, else just after the webhook's creation.
    private func lastCursor(of webhook: WebhookView) async throws -> UInt64 {
        if let written = persisted.withLock({ $0[webhook.id] }) { return written }
        return try await WebhookCursors.load(webhook.id, from: ledger.log) ?? webhook.createdOffset ?? ledger.log.head
    }

    private func target(of webhook: WebhookView) -> WebhookTarget {
        WebhookTarget(
            id: webhook.id, accountID: webhook.accountID, url: webhook.url, subscriptions: Set(webhook.subscriptions),
            secret: WebhookSigning.secret(of: webhook, serverSecret: serverSecret), inboxID: webhook.inboxID)
    }

    private func start(_ worker: WebhookWorker, _ context: WebhookContext) {
        workers.withLock { $0[worker.target.id] = worker }
        persisted.withLock { $0[worker.target.id] = $0[worker.target.id] ?? worker.progress.withLock { $0.cursor } }
        worker.start(context)
    }

    /// Stops a worker already taken out of ``workers`` and writes the cursor it left.
    private func retire(_ id: UInt64, _ worker: WebhookWorker) async {
        let cursor = await worker.stop()
        stopped.withLock { $0[id] = worker.progress.withLock { $0 } }
        await write([id: cursor])
    }

    /// Moves a webhook's cursor to `after` (the offset before the first
    /// event to send again), restarting its worker there if it runs.
    private func redeliver(_ id: UInt64, after: UInt64, _ context: WebhookContext) async throws {
        if let worker = workers.withLock({ $0.removeValue(forKey: id) }) {
            _ = await worker.stop()
            stopped.withLock { $0[id] = worker.progress.withLock { $0 } }
        }
        try await ledger.log.write([WebhookCursors.stored(id, at: after)])
        persisted.withLock { $0[id] = after }
        stopped.withLock { $0[id]?.cursor = after }
        guard let webhook = ledger.withProjections({ $0.directory.allWebhooks.first { $0.id == id } }), webhook.delivery == nil
        else { return }
        start(WebhookWorker(target: target(of: webhook), cursor: after), context)
    }

    // MARK: Cursors

    /// Writes the cursors that moved since they were last written, and the backlog gauges.
    private func flush() async {
        let running = workers.withLock { $0 }
        var cursors: [UInt64: UInt64] = [:]
        let head = ledger.log.head
        for (id, worker) in running {
            let cursor = worker.progress.withLock { $0.cursor }
            cursors[id] = cursor
            worker.metrics.backlog.record(Int64(clamping: head &- min(head, cursor)))
        }
        await write(cursors)
    }

    private func write(_ cursors: [UInt64: UInt64]) async {
        let moved = persisted.withLock { persisted in cursors.filter { persisted[$0.key] != $0.value } }
        guard !moved.isEmpty else { return }
        do {
            try await ledger.log.write(moved.map { WebhookCursors.stored($0.key, at: $0.value) })
            persisted.withLock { persisted in
                for (id, cursor) in moved { persisted[id] = cursor }
            }
        } catch {
            logger.error("cannot write webhook cursors", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Failing

    /// Appends `webhook.delivery_changed` (failing, with the reason) as
    /// Parley itself: on the account's and the audit stream, so it is an
    /// audit entry and reaches the account's administrators live.
    private func markFailing(_ target: WebhookTarget, reason: String) async {
        let command = Command(
            accountID: target.accountID, principal: .system,
            action: .setWebhookDelivery(id: target.id, state: .failing, reason: String(reason.prefix(200))))
        do {
            _ = try await ledger.execute(command)
        } catch {
            logger.error("cannot mark a webhook failing", metadata: ["webhook": "\(target.id)", "error": "\(error)"])
        }
    }
}

extension WebhookDispatcher {
    /// What the status API shows of a webhook's deliveries.
    struct Status: Sendable {
        var progress: WebhookProgress?
        var cursor: UInt64
        var head: UInt64
        var running: Bool
    }

    /// The webhook's progress: its running worker's, or what its last worker left.
    func status(of webhook: WebhookView) async throws -> Status {
        let head = ledger.log.head
        if let worker = workers.withLock({ $0[webhook.id] }) {
            let progress = worker.progress.withLock { $0 }
            return Status(progress: progress, cursor: progress.cursor, head: head, running: true)
        }
        let progress = stopped.withLock { $0[webhook.id] }
        return Status(progress: progress, cursor: try await lastCursor(of: webhook), head: head, running: false)
    }

    /// Returns once the workers match the webhooks as the projections show
    /// them now: after a pause, nothing more is sent; after a resume, the worker runs.
    func settle() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            if case .terminated = requestSink.yield(.reconcile(done: done)) { done.resume() }
        }
    }

    /// Sends the webhook every event from offset `from` on again (each with
    /// its delivery id, as the first time); returns once the cursor is written.
    func redeliver(_ webhookID: UInt64, from offset: UInt64) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            if case .terminated = requestSink.yield(.redeliver(webhookID: webhookID, after: offset - 1, done: done)) {
                done.resume(throwing: APIError(.serviceUnavailable, code: "unavailable", message: "the server is shutting down"))
            }
        }
    }
}
