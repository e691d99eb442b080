import DequeModule
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One webhook's connections to its endpoint: up to `limit` keep-alive
/// connections, opened when requests wait and none is idle, closed after a
/// minute without use. Requests wait in order for the next free connection;
/// each has a deadline covering the wait, the connect and the answer.
///
/// Everything but ``post(head:body:deadline:completion:)`` and ``shutDown()`` runs on
/// ``loop``, the event loop of all the webhook's connections; those two hop
/// onto it. One loop per webhook keeps a delivery's request and answer on
/// one thread and the pool without locks.
final class WebhookConnectionPool: @unchecked Sendable {
    let loop: any EventLoop
    let endpoint: WebhookEndpoint
    private let limit: Int
    private let tls: NIOSSLContext?
    private let connectTimeout: TimeAmount
    private var idle: [WebhookConnection] = []
    /// Connections open or opening.
    private var opened = 0
    private var waiting = Deque<WebhookExchange>()
    private var live: [ObjectIdentifier: WebhookConnection] = [:]
    private var sweep: Scheduled<Void>?
    private var stopped = false

    static let idleTimeout = TimeAmount.seconds(60)

    init(loop: any EventLoop, endpoint: WebhookEndpoint, limit: Int, tls: NIOSSLContext?, connectTimeout: TimeAmount) {
        self.loop = loop
        self.endpoint = endpoint
        self.limit = limit
        self.tls = tls
        self.connectTimeout = connectTimeout
    }

    /// Sends a request; `completion` gets the answer's status, or why there
    /// is none, on ``loop``.
    func post(
        head: HTTPRequestHead, body: ByteBuffer, deadline: NIODeadline,
        completion: @escaping @Sendable (Result<HTTPResponseStatus, any Error>) -> Void
    ) {
        if loop.inEventLoop {
            start(WebhookExchange(head: head, body: body, completion: completion), deadline: deadline)
        } else {
            loop.execute { self.start(WebhookExchange(head: head, body: body, completion: completion), deadline: deadline) }
        }
    }

    /// Fails every request waiting or under way and closes every connection;
    /// the pool takes no more requests. Done when the future is.
    func shutDown() -> EventLoopFuture<Void> {
        loop.submit {
            self.stopped = true
            self.sweep?.cancel()
            while let exchange = self.waiting.popFirst() { exchange.finish(.failure(WebhookTransportError.stopped)) }
            for connection in self.live.values { connection.abort(WebhookTransportError.stopped) }
        }
    }

    private func start(_ exchange: WebhookExchange, deadline: NIODeadline) {
        guard !stopped else { return exchange.finish(.failure(WebhookTransportError.stopped)) }
        exchange.deadline = loop.assumeIsolated().scheduleTask(deadline: deadline) { self.expire(exchange) }
        if let connection = idle.popLast() {
            connection.send(exchange)
        } else {
            waiting.append(exchange)
            if opened < limit { open() }
        }
    }

    private func expire(_ exchange: WebhookExchange) {
        if let connection = exchange.connection {
            connection.abort(WebhookTransportError.timedOut)
        } else {
            exchange.finish(.failure(WebhookTransportError.timedOut))
        }
    }

    /// `connection` can take a request: the oldest waiting one, or it idles.
    func ready(_ connection: WebhookConnection) {
        guard !stopped else { return connection.abort(WebhookTransportError.stopped) }
        live[ObjectIdentifier(connection)] = connection
        while let exchange = waiting.popFirst() {
            if !exchange.finished { return connection.send(exchange) }
        }
        connection.idleSince = .now()
        idle.append(connection)
        if sweep == nil {
            sweep = loop.assumeIsolated().scheduleTask(in: Self.idleTimeout) { self.closeIdle() }
        }
    }

    /// Closes the connections idle for ``idleTimeout``; looks again later while any stay open.
    private func closeIdle() {
        sweep = nil
        let cutoff = NIODeadline.now() - Self.idleTimeout
        for connection in idle where connection.idleSince <= cutoff { connection.abort(WebhookTransportError.stopped) }
        if !idle.isEmpty {
            sweep = loop.assumeIsolated().scheduleTask(in: Self.idleTimeout) { self.closeIdle() }
        }
    }

    /// `connection` closed; another opens if requests still wait.
    func gone(_ connection: WebhookConnection) {
        opened -= 1
        live[ObjectIdentifier(connection)] = nil
        idle.removeAll { $0 === connection }
        if !stopped, waiting.contains(where: { !$0.finished }), opened < limit { open() }
    }

    private func open() {
        opened += 1
        let tls = self.tls
        let host = endpoint.host
        ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        let serverName = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    // The endpoint's check made the head's values safe; no second look per request.
                    try pipeline.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try pipeline.addHandler(WebhookConnection(pool: self))
                }
            }
            .connect(host: host, port: endpoint.port)
            .whenFailure { error in self.failedToOpen(error) }
    }

    /// A connection could not be opened: when no other is open or opening,
    /// nothing will serve the waiting requests, so they fail with the reason.
    private func failedToOpen(_ error: any Error) {
        opened -= 1
        guard opened == 0 else { return }
        while let exchange = waiting.popFirst() { exchange.finish(.failure(error)) }
    }
}
