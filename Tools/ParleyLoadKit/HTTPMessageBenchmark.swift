import Foundation
import NIOCore
import NIOPosix

/// Chat messages over HTTP against a real `parley serve`: keep-alive
/// connections each post a 200-byte message, wait for the answer (which
/// comes after the fsync), and post the next, spread over many conversations.
public struct HTTPMessageBenchmark: Sendable {
    public struct Report: Codable, Sendable {
        public var connections: Int
        public var conversations: Int
        public var durationSeconds: Double
        public var warmupSeconds: Double
        /// Messages answered 200 in the timed window.
        public var requests: Int
        public var requestsPerSecond: Double
        public var p50Milliseconds: Double
        public var p90Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
        public var errors: Int
        public var firstError: String?
        /// CPU the server and this client used during the timed window, in
        /// cores (1.0 is one core busy all the time).
        public var serverCores: Double?
        public var clientCores: Double?
        /// Group commits in the timed window: how many, their mean fsync time,
        /// and the entries each made durable (a message is one entry).
        public var fsyncs: Int
        public var fsyncMilliseconds: Double?
        public var entriesPerFsync: Double?
        /// Webhooks subscribed to `message_created` while the load ran, each
        /// with its own local endpoint, and the POSTs those endpoints received by its end.
        public var webhooks: Int
        public var webhookDeliveries: Int

        enum CodingKeys: String, CodingKey {
            case connections, conversations, requests, errors
            case durationSeconds = "duration_s"
            case warmupSeconds = "warmup_s"
            case requestsPerSecond = "requests_per_s"
            case p50Milliseconds = "p50_ms"
            case p90Milliseconds = "p90_ms"
            case p99Milliseconds = "p99_ms"
            case maxMilliseconds = "max_ms"
            case firstError = "first_error"
            case serverCores = "server_cores"
            case clientCores = "client_cores"
            case fsyncs
            case fsyncMilliseconds = "fsync_ms"
            case entriesPerFsync = "entries_per_fsync"
            case webhooks
            case webhookDeliveries = "webhook_deliveries"
        }
    }

    public var connections: Int
    public var conversations: Int
    public var duration: Duration
    public var warmup: Duration
    public var payloadBytes: Int
    public var clientThreads: Int
    /// Webhooks to configure before the load, so the load runs beside their deliveries.
    public var webhooks: Int

    public init(
        connections: Int, conversations: Int, duration: Duration, warmup: Duration = .seconds(1), payloadBytes: Int = 200,
        clientThreads: Int = 1, webhooks: Int = 0
    ) {
        self.connections = connections
        self.conversations = conversations
        self.duration = duration
        self.warmup = warmup
        self.payloadBytes = payloadBytes
        self.clientThreads = clientThreads
        self.webhooks = webhooks
    }

    /// Starts `parley serve` on a fresh directory under `scratch`, sets up a
    /// workspace over HTTP, runs the load and stops the server.
    public func run(serverExecutable: String, scratch: String, logLevel: String? = nil) async throws -> Report {
        try await HTTPServerProcess.running(
            executable: serverExecutable, dataDirectory: scratch + "/data", logLevel: logLevel, threads: clientThreads
        ) { server, group in try await measure(server, group: group) }
    }

    private func measure(_ server: HTTPServerProcess, group: MultiThreadedEventLoopGroup) async throws -> Report {
        var open: [HTTPConnection] = []
        for _ in 0..<connections { open.append(try await HTTPConnection.connect(host: server.host, port: server.port, group: group)) }
        let connections = open
        let scraper = try await HTTPConnection.connect(host: server.host, port: server.port, group: group)
        defer { for connection in connections + [scraper] { connection.channel.close(promise: nil) } }

        let workspace = try await HTTPWorkspace.create(on: server, connections: connections, conversations: conversations)
        let receiver = webhooks > 0 ? try await WebhookReceiver.start(endpoints: webhooks, threads: 1) : nil
        try await receiver?.subscribe(workspace, through: JSONCaller(connection: scraper, host: server.address))
        let content = Self.content(bytes: payloadBytes)
        let body = Array(try JSONSerialization.data(withJSONObject: ["content": content, "message_type": "outgoing"]))
        let requests = workspace.conversationIDs.map { conversation in
            PreparedRequest(
                method: .POST, path: "/api/v1/accounts/\(workspace.accountID)/conversations/\(conversation)/messages",
                host: server.address, token: workspace.accessToken, body: body)
        }

        let start = NIODeadline.now()
        let measureFrom = start + .nanoseconds(warmup.nanoseconds)
        let until = measureFrom + .nanoseconds(duration.nanoseconds)
        async let atStart = Self.sample(at: measureFrom, server: server, scraper: scraper)
        let result = try await withThrowingTaskGroup(of: LoopResult.self) { tasks in
            for (index, connection) in connections.enumerated() {
                // Each connection starts at its own conversation, so concurrent
                // messages mostly go to different conversations.
                let rotated = Array(requests[(index % requests.count)...] + requests[..<(index % requests.count)])
                tasks.addTask { try await HTTPLoadLoop.run(on: connection, requests: rotated, measureFrom: measureFrom, until: until) }
            }
            var all = LoopResult()
            for try await result in tasks { all.merge(result) }
            return all
        }
        let cpuAfter = (server: server.cpuSeconds(), client: ProcessCPU.ownSeconds())
        let webhookDeliveries = receiver?.tally.withLock { $0.unreadable + $0.repeats + $0.arrivals.reduce(0) { $0 + $1.count } } ?? 0
        await receiver?.stop()
        let before = try await atStart
        let commits = try await HTTPServerMetrics.scrape(scraper, host: server.address).since(before.metrics)
        let window = ((result.lastAnswer ?? until) - measureFrom).seconds
        func cores(_ before: Double?, _ after: Double?) -> Double? {
            guard let before, let after, window > 0 else { return nil }
            return ((after - before) / window * 100).rounded() / 100
        }
        return Report(
            connections: connections.count, conversations: workspace.conversationIDs.count, durationSeconds: window.roundedTo(3),
            warmupSeconds: warmup.seconds, requests: result.completed,
            requestsPerSecond: window > 0 ? (Double(result.completed) / window).rounded() : 0,
            p50Milliseconds: result.latencies.percentileMilliseconds(0.50),
            p90Milliseconds: result.latencies.percentileMilliseconds(0.90),
            p99Milliseconds: result.latencies.percentileMilliseconds(0.99),
            maxMilliseconds: result.latencies.percentileMilliseconds(1.0), errors: result.errors, firstError: result.firstError,
            serverCores: cores(before.serverCPU, cpuAfter.server), clientCores: cores(before.clientCPU, cpuAfter.client),
            fsyncs: commits.fsyncs, fsyncMilliseconds: commits.meanFsyncMilliseconds, entriesPerFsync: commits.entriesPerFsync,
            webhooks: webhooks, webhookDeliveries: webhookDeliveries)
    }

    /// CPU seconds of the server and of this process, and the server's
    /// metrics, at `moment`, sampled while the load runs.
    static func sample(
        at moment: NIODeadline, server: HTTPServerProcess, scraper: HTTPConnection
    ) async throws -> (serverCPU: Double?, clientCPU: Double?, metrics: HTTPServerMetrics) {
        let wait = moment - NIODeadline.now()
        if wait > .nanoseconds(0) { try await Task.sleep(for: .nanoseconds(wait.nanoseconds)) }
        let cpu = (server.cpuSeconds(), ProcessCPU.ownSeconds())
        return (cpu.0, cpu.1, try await HTTPServerMetrics.scrape(scraper, host: server.address))
    }

    /// `bytes` bytes of readable ASCII text.
    static func content(bytes: Int) -> String {
        let sentence = "Hello, I would like to know where my order is; it was due yesterday and the tracking page says nothing. "
        return String(String(repeating: sentence, count: bytes / sentence.utf8.count + 1).prefix(bytes))
    }
}

extension TimeAmount {
    var seconds: Double { Double(nanoseconds) / 1e9 }
}

extension Double {
    func roundedTo(_ places: Int) -> Double {
        let scale = Foundation.pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
