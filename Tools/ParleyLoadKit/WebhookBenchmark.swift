import Foundation
import NIOCore
import NIOPosix

/// Webhook fan-out against a real `parley serve`: `endpoints` webhooks
/// (each subscribed to `message_created`, each its own local listener)
/// while messages are posted over HTTP at `rate` per second. Every message
/// is `load-N`; the latency of a delivery runs from the moment its message
/// was sent (before the append) to its first arrival at the endpoint.
/// After the load, the endpoints get `drain` to receive what is still on
/// its way; whatever has not arrived by then counts as lost.
public struct WebhookBenchmark: Sendable {
    public struct Report: Codable, Sendable {
        public var endpoints: Int
        public var rate: Int
        public var durationSeconds: Double
        /// Messages posted (each one event for every endpoint).
        public var events: Int
        /// Events that reached an endpoint, counted once per endpoint.
        public var delivered: Int
        /// Events that never reached an endpoint, counted once per endpoint.
        public var lost: Int
        /// Deliveries an endpoint had already had (at-least-once repeats).
        public var repeats: Int
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
        /// Messages the load posted per second, as achieved.
        public var postedPerSecond: Double
        public var errors: Int
        public var firstError: String?
        public var serverCores: Double?

        enum CodingKeys: String, CodingKey {
            case endpoints, rate, events, delivered, lost, repeats, errors
            case durationSeconds = "duration_s"
            case p50Milliseconds = "p50_ms"
            case p99Milliseconds = "p99_ms"
            case maxMilliseconds = "max_ms"
            case postedPerSecond = "posted_per_s"
            case firstError = "first_error"
            case serverCores = "server_cores"
        }
    }

    public var endpoints: Int
    public var rate: Int
    public var duration: Duration
    public var connections: Int
    public var conversations: Int
    public var drain: Duration

    public init(endpoints: Int, rate: Int, duration: Duration, connections: Int = 32, conversations: Int = 100, drain: Duration = .seconds(30)) {
        self.endpoints = endpoints
        self.rate = rate
        self.duration = duration
        self.connections = connections
        self.conversations = conversations
        self.drain = drain
    }

    public func run(serverExecutable: String, scratch: String, logLevel: String? = nil) async throws -> Report {
        try await HTTPServerProcess.running(
            executable: serverExecutable, dataDirectory: scratch + "/data", logLevel: logLevel, threads: 2
        ) { server, group in try await measure(server, group: group) }
    }

    private func measure(_ server: HTTPServerProcess, group: MultiThreadedEventLoopGroup) async throws -> Report {
        let receiver = try await WebhookReceiver.start(endpoints: endpoints, threads: System.coreCount)
        var open: [HTTPConnection] = []
        for _ in 0..<connections { open.append(try await HTTPConnection.connect(host: server.host, port: server.port, group: group)) }
        let connections = open
        defer { for connection in connections { connection.channel.close(promise: nil) } }
        let workspace = try await HTTPWorkspace.create(on: server, connections: connections, conversations: conversations)
        try await receiver.subscribe(workspace, through: JSONCaller(connection: connections[0], host: server.address))

        let cpuBefore = server.cpuSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        let end = start + UInt64(duration.nanoseconds)
        let interval = 1_000_000_000.0 / Double(rate)
        let posted = try await withThrowingTaskGroup(of: PacedPosts.self) { tasks in
            for (index, connection) in connections.enumerated() {
                tasks.addTask {
                    try await paced(
                        on: connection, lane: index, lanes: connections.count, start: start, end: end, interval: interval,
                        workspace: workspace, host: server.address)
                }
            }
            var all = PacedPosts()
            for try await lane in tasks { all.merge(lane) }
            return all
        }
        let postedFor = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpuAfter = server.cpuSeconds()

        // Wait for the deliveries still on their way, as long as they keep coming.
        let expected = posted.sentAt.count * endpoints
        let drainEnd = DispatchTime.now().uptimeNanoseconds + UInt64(drain.nanoseconds)
        while receiver.tally.withLock({ $0.arrivals.reduce(0) { $0 + $1.count } }) < expected,
            DispatchTime.now().uptimeNanoseconds < drainEnd
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        await receiver.stop()

        let tally = receiver.tally.withLock { $0 }
        var latencies = Latencies()
        var delivered = 0
        for arrivals in tally.arrivals {
            for (sequence, arrived) in arrivals {
                guard let sent = posted.sentAt[sequence] else { continue }
                delivered += 1
                latencies.record(.nanoseconds(Int64(arrived) - Int64(sent)))
            }
        }
        var cores: Double?
        if let cpuBefore, let cpuAfter, postedFor > 0 { cores = ((cpuAfter - cpuBefore) / postedFor * 100).rounded() / 100 }
        return Report(
            endpoints: endpoints, rate: rate, durationSeconds: postedFor.roundedTo(3), events: posted.sentAt.count,
            delivered: delivered, lost: expected - delivered, repeats: tally.repeats,
            p50Milliseconds: latencies.percentileMilliseconds(0.50), p99Milliseconds: latencies.percentileMilliseconds(0.99),
            maxMilliseconds: latencies.percentileMilliseconds(1.0),
            postedPerSecond: (Double(posted.sentAt.count) / postedFor).rounded(), errors: posted.errors,
            firstError: posted.firstError, serverCores: cores)
    }

    /// What one connection posted: each message's send time (uptime nanoseconds) by sequence number.
    struct PacedPosts: Sendable {
        var sentAt: [Int: UInt64] = [:]
        var errors = 0
        var firstError: String?

        mutating func merge(_ other: PacedPosts) {
            sentAt.merge(other.sentAt) { first, _ in first }
            errors += other.errors
            firstError = firstError ?? other.firstError
        }
    }

    /// Posts message `lane`, `lane + lanes`, … each at its slot in the
    /// schedule (one every `interval` over all lanes), or at once when late.
    private func paced(
        on connection: HTTPConnection, lane: Int, lanes: Int, start: UInt64, end: UInt64, interval: Double,
        workspace: HTTPWorkspace, host: String
    ) async throws -> PacedPosts {
        var posts = PacedPosts()
        var sequence = lane
        while true {
            let slot = start + UInt64(Double(sequence) * interval)
            guard slot < end else { break }
            let now = DispatchTime.now().uptimeNanoseconds
            if slot > now { try await Task.sleep(for: .nanoseconds(Int64(slot - now))) }
            let conversation = workspace.conversationIDs[sequence % workspace.conversationIDs.count]
            let body = Array("{\"content\":\"load-\(sequence)\",\"message_type\":\"outgoing\"}".utf8)
            let request = PreparedRequest(
                method: .POST, path: "/api/v1/accounts/\(workspace.accountID)/conversations/\(conversation)/messages",
                host: host, token: workspace.accessToken, body: body)
            let sent = DispatchTime.now().uptimeNanoseconds
            do {
                let answer = try await connection.request(request)
                if answer.status == 200 {
                    posts.sentAt[sequence] = sent
                } else {
                    posts.errors += 1
                    posts.firstError = posts.firstError ?? "HTTP \(answer.status): \(String(decoding: answer.body.prefix(200), as: UTF8.self))"
                }
            } catch {
                posts.errors += 1
                posts.firstError = posts.firstError ?? "\(error)"
            }
            sequence += lanes
        }
        return posts
    }
}
