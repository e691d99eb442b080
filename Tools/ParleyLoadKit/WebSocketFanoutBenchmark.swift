import Foundation
import NIOCore
import NIOPosix

/// Real-time fan-out against a real `parley serve`: many WebSocket
/// connections subscribed to a few conversations, messages posted over HTTP
/// at a fixed rate, and every publication checked against the messages
/// acknowledged: how many arrived, how many twice, how long after the 200.
public struct WebSocketFanoutBenchmark: Sendable {
    public struct Report: Codable, Sendable {
        public var connections: Int
        public var channels: Int
        public var rate: Int
        public var durationSeconds: Double
        /// Messages acknowledged with a 200.
        public var sent: Int
        /// Distinct (connection, message) receipts; sent × subscribers when nothing is lost.
        public var delivered: Int
        public var expected: Int
        public var lost: Int
        public var duplicated: Int
        public var misrouted: Int
        public var unmatched: Int
        public var outOfSequence: Int
        /// Connections the server closed before the end.
        public var disconnected: Int
        /// Objects in the server's frames that were not well-formed JSON.
        public var malformed: Int
        public var errors: Int
        public var firstError: String?
        public var p50Milliseconds: Double
        public var p90Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
        /// (Server RSS with every connection subscribed − before the first) / connections.
        public var rssKiBPerConnection: Double?
        public var serverRSSKiBBefore: Int?
        public var serverRSSKiBSubscribed: Int?
        /// From the first connection's TCP connect to the last one's subscribe reply.
        public var connectSeconds: Double
        /// From the last acknowledgement to the last delivery (0 if that came first).
        public var tailMilliseconds: Double?
        /// CPU while messages were posted, in cores.
        public var serverCores: Double?
        public var clientCores: Double?

        enum CodingKeys: String, CodingKey {
            case connections, channels, rate, sent, delivered, expected, lost, duplicated, misrouted, unmatched, disconnected, malformed, errors
            case durationSeconds = "duration_s"
            case outOfSequence = "out_of_sequence"
            case firstError = "first_error"
            case p50Milliseconds = "p50_ms"
            case p90Milliseconds = "p90_ms"
            case p99Milliseconds = "p99_ms"
            case maxMilliseconds = "max_ms"
            case rssKiBPerConnection = "rss_kib_per_connection"
            case serverRSSKiBBefore = "server_rss_kib_before"
            case serverRSSKiBSubscribed = "server_rss_kib_subscribed"
            case connectSeconds = "connect_seconds"
            case tailMilliseconds = "tail_ms"
            case serverCores = "server_cores"
            case clientCores = "client_cores"
        }
    }

    public var connections: Int
    public var channels: Int
    public var rate: Int
    public var duration: Duration
    public var clientThreads: Int
    /// Connections being opened at once.
    public var openConcurrency: Int
    /// How long to wait for the next delivery once every message is acknowledged.
    public var tailTimeout: Duration

    public init(
        connections: Int, channels: Int, rate: Int, duration: Duration, clientThreads: Int = 2, openConcurrency: Int = 200,
        tailTimeout: Duration = .seconds(10)
    ) {
        self.connections = connections
        self.channels = channels
        self.rate = rate
        self.duration = duration
        self.clientThreads = clientThreads
        self.openConcurrency = openConcurrency
        self.tailTimeout = tailTimeout
    }

    /// Keep-alive HTTP connections the messages are posted over: enough for
    /// the rate at a few milliseconds per answer.
    var httpConnections: Int { min(50, max(2, rate / 20)) }

    /// Connections subscribed to conversation `conversation` (connection i takes conversation i % channels).
    func subscribers(of conversation: Int) -> Int {
        connections / channels + (conversation < connections % channels ? 1 : 0)
    }

    /// Starts `parley serve` on a fresh directory under `scratch`, sets up a
    /// workspace over HTTP, opens the connections, posts and counts, and
    /// stops the server.
    public func run(serverExecutable: String, scratch: String, logLevel: String? = nil) async throws -> Report {
        ProcessMemory.raiseOpenFileLimit()
        let data = scratch + "/data"
        let socketGroup = MultiThreadedEventLoopGroup(numberOfThreads: clientThreads)
        do {
            let report = try await HTTPServerProcess.running(executable: serverExecutable, dataDirectory: data, logLevel: logLevel) {
                server, httpGroup in
                try await measure(server, dataDirectory: data, httpGroup: httpGroup, socketGroup: socketGroup)
            }
            try await socketGroup.shutdownGracefully()
            return report
        } catch {
            try? await socketGroup.shutdownGracefully()
            throw error
        }
    }

    private func measure(
        _ server: HTTPServerProcess, dataDirectory: String, httpGroup: MultiThreadedEventLoopGroup, socketGroup: MultiThreadedEventLoopGroup
    ) async throws -> Report {
        var open: [HTTPConnection] = []
        for _ in 0..<httpConnections { open.append(try await HTTPConnection.connect(host: server.host, port: server.port, group: httpGroup)) }
        let http = open
        defer { for connection in http { connection.channel.close(promise: nil) } }

        let workspace = try await HTTPWorkspace.create(on: server, connections: http, conversations: channels)
        let token = try await workspace.realtimeToken(over: http[0], host: server.address)
        let pid = ProcessMemory.serverPID(dataDirectory: dataDirectory)
        let rssBefore = pid.flatMap(ProcessMemory.residentKiB)

        let counter = DeliveryCounter()
        let connectStarted = NIODeadline.now()
        let opened = try await openAll(server, token: token, workspace: workspace, group: socketGroup, counter: counter)
        let connectSeconds = (NIODeadline.now() - connectStarted).seconds
        try await Task.sleep(for: .milliseconds(300))
        let rssSubscribed = pid.flatMap(ProcessMemory.residentKiB)

        let content = HTTPMessageBenchmark.content(bytes: 200)
        let body = Array(try JSONSerialization.data(withJSONObject: ["content": content, "message_type": "outgoing"]))
        let requests = workspace.conversationIDs.map { conversation in
            PreparedRequest(
                method: .POST, path: "/api/v1/accounts/\(workspace.accountID)/conversations/\(conversation)/messages",
                host: server.address, token: workspace.accessToken, body: body)
        }
        let cpuBefore = (server: pid.flatMap(ProcessCPU.seconds), client: ProcessCPU.ownSeconds())
        let total = max(1, Int((Double(rate) * duration.seconds).rounded()))
        let posted = try await MessagePoster.run(on: http, requests: requests, total: total, perSecond: rate)
        let cpuAfter = (server: pid.flatMap(ProcessCPU.seconds), client: ProcessCPU.ownSeconds())

        let expected = posted.acknowledgements.reduce(0) { $0 + subscribers(of: $1.conversation) }
        try await Self.waitForTail(counter, expected: expected, timeout: tailTimeout)

        var acknowledgements: [UInt64: MessagePoster.Acknowledgement] = [:]
        for acknowledgement in posted.acknowledgements { acknowledgements[acknowledgement.messageID] = acknowledgement }
        var tally = DeliveryTally()
        var disconnected = 0
        var malformed = 0
        for (index, (socket, position)) in opened.enumerated() {
            if !socket.channel.isActive { disconnected += 1 }
            let received = try await socket.received()
            malformed += received.malformed
            tally.add(received.deliveries, conversation: index % channels, after: position, acknowledgements: acknowledgements)
        }
        await Self.closeAll(opened.map(\.socket))

        let window = (posted.finished - posted.started).seconds
        func cores(_ before: Double?, _ after: Double?) -> Double? {
            guard let before, let after, window > 0 else { return nil }
            return ((after - before) / window).roundedTo(2)
        }
        let lastAcknowledged = posted.acknowledgements.map(\.at).max()
        return Report(
            connections: connections, channels: channels, rate: rate, durationSeconds: window.roundedTo(3),
            sent: posted.acknowledgements.count, delivered: tally.delivered, expected: expected, lost: expected - tally.delivered,
            duplicated: tally.duplicated, misrouted: tally.misrouted, unmatched: tally.unmatched, outOfSequence: tally.outOfSequence,
            disconnected: disconnected, malformed: malformed, errors: posted.errors, firstError: posted.firstError,
            p50Milliseconds: tally.latencies.percentileMilliseconds(0.50), p90Milliseconds: tally.latencies.percentileMilliseconds(0.90),
            p99Milliseconds: tally.latencies.percentileMilliseconds(0.99), maxMilliseconds: tally.latencies.percentileMilliseconds(1.0),
            rssKiBPerConnection: rssBefore.flatMap { before in
                rssSubscribed.map { (Double($0 - before) / Double(connections)).roundedTo(2) }
            },
            serverRSSKiBBefore: rssBefore, serverRSSKiBSubscribed: rssSubscribed, connectSeconds: connectSeconds.roundedTo(3),
            tailMilliseconds: lastAcknowledged.flatMap { acknowledged in
                tally.lastDelivery.map { (Double(max(0, ($0 - acknowledged).nanoseconds)) / 1e6).roundedTo(3) }
            },
            serverCores: cores(cpuBefore.server, cpuAfter.server), clientCores: cores(cpuBefore.client, cpuAfter.client))
    }

    /// Opens, connects and subscribes every connection, `openConcurrency` at
    /// a time; returns each with the stream position its subscribe reported.
    private func openAll(
        _ server: HTTPServerProcess, token: String, workspace: HTTPWorkspace, group: MultiThreadedEventLoopGroup, counter: DeliveryCounter
    ) async throws -> [(socket: CentrifugeConnection, position: UInt64?)] {
        let channelNames = workspace.conversationIDs.map { "conversation:\(workspace.accountID):\($0)" }
        let subscriptions = channelNames.map { "\"subscribe\":{\"channel\":\(JSONText.string($0))}" }
        @Sendable func open(_ index: Int) async throws -> (CentrifugeConnection, UInt64?) {
            let socket = try await CentrifugeConnection.open(host: server.host, port: server.port, group: group, counter: counter)
            do {
                try await socket.connect(token: token)
                return (socket, try await socket.command(subscriptions[index % subscriptions.count]).offset)
            } catch {
                await socket.close()
                throw error
            }
        }
        return try await withThrowingTaskGroup(of: (Int, (CentrifugeConnection, UInt64?)).self) { tasks in
            var opened = [(socket: CentrifugeConnection, position: UInt64?)?](repeating: nil, count: connections)
            var next = 0
            while next < min(openConcurrency, connections) {
                let index = next
                tasks.addTask { (index, try await open(index)) }
                next += 1
            }
            do {
                while let (index, socket) = try await tasks.next() {
                    opened[index] = (socket.0, socket.1)
                    if next < connections {
                        let index = next
                        tasks.addTask { (index, try await open(index)) }
                        next += 1
                    }
                }
            } catch {
                await Self.closeAll(opened.compactMap { $0?.socket })
                throw error
            }
            return opened.compactMap { $0 }
        }
    }

    /// Waits until `expected` message publications have arrived, or none for `timeout`.
    static func waitForTail(_ counter: DeliveryCounter, expected: Int, timeout: Duration) async throws {
        var last = counter.value
        var lastProgress = ContinuousClock.now
        while counter.value < expected, ContinuousClock.now - lastProgress < timeout {
            try await Task.sleep(for: .milliseconds(5))
            if counter.value != last {
                last = counter.value
                lastProgress = .now
            }
        }
        // Anything sent twice would come right behind.
        try await Task.sleep(for: .milliseconds(200))
    }

    static func closeAll(_ sockets: [CentrifugeConnection]) async {
        await withTaskGroup(of: Void.self) { tasks in
            for socket in sockets { tasks.addTask { await socket.close() } }
        }
    }
}
