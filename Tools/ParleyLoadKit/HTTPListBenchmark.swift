import Foundation
import NIOCore
import NIOPosix
import ParleyDomain
import ParleyProjections
import ParleyServer

/// Conversation lists over HTTP in an account with many conversations.
/// Setting that many up over HTTP would take minutes, so the data directory
/// is written in-process through the ledger (the same commands the API
/// sends), closed, and then served by a real `parley serve`, which the
/// benchmark asks for pages of 25 open conversations, newest activity first.
public struct HTTPListBenchmark: Sendable {
    public struct Report: Codable, Sendable {
        public var conversations: Int
        public var connections: Int
        public var requests: Int
        public var requestsPerSecond: Double
        public var p50Milliseconds: Double
        public var p90Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
        public var errors: Int
        public var firstError: String?
        /// The pages asked for, in turn: 1 through this.
        public var pages: Int
        /// What the first page's answer said: its `meta.all_count` and how many conversations it held.
        public var allCount: Int?
        public var pageConversations: Int?
        /// The list alone (ConversationsProjection.list in-process, same queries), for where the time goes.
        public var projectionP50Milliseconds: Double
        public var projectionP99Milliseconds: Double
        public var seedSeconds: Double
        /// From starting the server to its first answer (it loads the checkpoint).
        public var serverStartSeconds: Double

        enum CodingKeys: String, CodingKey {
            case conversations, connections, requests, errors, pages
            case requestsPerSecond = "requests_per_s"
            case p50Milliseconds = "p50_ms"
            case p90Milliseconds = "p90_ms"
            case p99Milliseconds = "p99_ms"
            case maxMilliseconds = "max_ms"
            case firstError = "first_error"
            case allCount = "all_count"
            case pageConversations = "page_conversations"
            case projectionP50Milliseconds = "projection_p50_ms"
            case projectionP99Milliseconds = "projection_p99_ms"
            case seedSeconds = "seed_s"
            case serverStartSeconds = "server_start_s"
        }
    }

    public var conversations: Int
    public var requests: Int
    public var connections: Int
    public var pages: Int
    /// Concurrent callers while seeding.
    public var seedCallers: Int

    public init(conversations: Int, requests: Int, connections: Int = 1, pages: Int = 20, seedCallers: Int = 64) {
        self.conversations = conversations
        self.requests = requests
        self.connections = connections
        self.pages = pages
        self.seedCallers = seedCallers
    }

    /// What the seed made: the account and its administrator's token.
    struct Seeded {
        var accountID: UInt64
        var accessToken: String
        var projection: Latencies
    }

    public func run(serverExecutable: String, scratch: String, logLevel: String? = nil) async throws -> Report {
        let clock = ContinuousClock()
        let data = scratch + "/data"
        let seedStarted = clock.now
        let seeded = try await seed(at: data)
        let seedSeconds = (clock.now - seedStarted).seconds

        let serverStarted = clock.now
        return try await HTTPServerProcess.running(executable: serverExecutable, dataDirectory: data, logLevel: logLevel) {
            server, group in
            try await measure(server, seeded: seeded, group: group, started: serverStarted, seedSeconds: seedSeconds)
        }
    }

    private func measure(
        _ server: HTTPServerProcess, seeded: Seeded, group: MultiThreadedEventLoopGroup, started: ContinuousClock.Instant,
        seedSeconds: Double
    ) async throws -> Report {
        var open: [HTTPConnection] = []
        for _ in 0..<connections { open.append(try await HTTPConnection.connect(host: server.host, port: server.port, group: group)) }
        let connections = open
        defer { for connection in connections { connection.channel.close(promise: nil) } }
        let requests = (1...pages).map { page in
            PreparedRequest(
                method: .GET, path: "/api/v1/accounts/\(seeded.accountID)/conversations?status=open&page=\(page)",
                host: server.address, token: seeded.accessToken, body: nil)
        }
        let first = try await connections[0].request(requests[0])
        let serverStartSeconds = (ContinuousClock.now - started).seconds
        guard first.status == 200 else {
            throw HTTPClientError.unexpectedStatus(
                method: "GET", path: requests[0].path, status: first.status, body: String(decoding: first.body.prefix(500), as: UTF8.self))
        }
        let (allCount, pageConversations) = Self.describe(first.body)

        // Every page once per connection to warm up, untimed; then the timed requests.
        let never = NIODeadline.distantFuture
        for connection in connections {
            _ = try await HTTPLoadLoop.run(on: connection, requests: requests, measureFrom: never, until: never, limit: pages)
        }
        let measureFrom = NIODeadline.now()
        let perConnection = max(1, self.requests / connections.count)
        let result = try await withThrowingTaskGroup(of: LoopResult.self) { tasks in
            for (index, connection) in connections.enumerated() {
                let rotated = Array(requests[(index % pages)...] + requests[..<(index % pages)])
                tasks.addTask {
                    try await HTTPLoadLoop.run(on: connection, requests: rotated, measureFrom: measureFrom, until: never, limit: perConnection)
                }
            }
            var all = LoopResult()
            for try await result in tasks { all.merge(result) }
            return all
        }
        let window = ((result.lastAnswer ?? measureFrom) - measureFrom).seconds
        return Report(
            conversations: conversations, connections: connections.count, requests: result.completed,
            requestsPerSecond: window > 0 ? (Double(result.completed) / window).rounded() : 0,
            p50Milliseconds: result.latencies.percentileMilliseconds(0.50),
            p90Milliseconds: result.latencies.percentileMilliseconds(0.90),
            p99Milliseconds: result.latencies.percentileMilliseconds(0.99),
            maxMilliseconds: result.latencies.percentileMilliseconds(1.0), errors: result.errors, firstError: result.firstError,
            pages: pages, allCount: allCount, pageConversations: pageConversations,
            projectionP50Milliseconds: seeded.projection.percentileMilliseconds(0.50),
            projectionP99Milliseconds: seeded.projection.percentileMilliseconds(0.99),
            seedSeconds: seedSeconds.roundedTo(2), serverStartSeconds: serverStartSeconds.roundedTo(2))
    }

    /// `data.meta.all_count` and the number of conversations in `data.payload`, as Chatwoot's list answers.
    static func describe(_ body: [UInt8]) -> (allCount: Int?, conversations: Int?) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let data = object["data"] as? [String: Any]
        else { return (nil, nil) }
        let meta = data["meta"] as? [String: Any]
        return ((meta?["all_count"] as? NSNumber)?.intValue, (data["payload"] as? [Any])?.count)
    }

    // MARK: Seeding

    /// One account, its administrator, an API inbox and `conversations`
    /// conversations with a contact each (every seventh assigned to the
    /// administrator, one in twenty with a later reply), written through the
    /// ledger by concurrent callers; then the same list queries in-process,
    /// and a clean close.
    func seed(at path: String) async throws -> Seeded {
        let ledger = try await CommandLedger.open(at: path)
        do {
            let seeded = try await seed(ledger)
            await ledger.close()
            return seeded
        } catch {
            await ledger.close()
            throw error
        }
    }

    private func seed(_ ledger: CommandLedger) async throws -> Seeded {
        @Sendable func run(_ account: UInt64, _ principal: Principal, _ action: Action) async throws -> [DomainEvent] {
            try await ledger.execute(Command(accountID: account, principal: principal, action: action)).events.map(\.event)
        }
        let token = "load-list-\(UInt64.random(in: 0...UInt64.max))"
        guard let account = try await run(Platform.accountID, .platform, .createAccount(name: "Load", locale: "en")).first?.accountID,
            case .userCreated(let user)? = try await run(
                Platform.accountID, .platform,
                .createUser(name: "Load Admin", email: "admin@load.test", tokenSha256: Crypto.sha256Hex(token))
            ).first?.body
        else { throw HarnessError.childFailed("seeding: no account or user created") }
        let admin = user.userID
        _ = try await run(account, .platform, .addAccountUser(userID: admin, role: .administrator))
        guard case .inboxCreated(let inbox)? = try await run(
            account, .user(admin), .createInbox(channelType: .api, inboxIdentifier: "load", hmacToken: "load", settings: InboxSettings(name: "Load"))
        ).first?.body
        else { throw HarnessError.childFailed("seeding: no inbox created") }

        let callers = seedCallers
        let total = conversations
        let created = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var created: [UInt64] = []
                    for n in stride(from: caller, to: total, by: callers) {
                        let contact = try await run(
                            account, .user(admin), .createContact(details: ContactDetails(name: "Visitor \(n)", email: "visitor\(n)@load.test"), inbox: nil))
                        guard let contactID = contact.lazy.compactMap({ if case .contactCreated(let e) = $0.body { e.contactID } else { nil } }).first
                        else { throw HarnessError.childFailed("seeding: contact \(n) not created") }
                        let conversation = try await run(
                            account, .user(admin),
                            .createConversation(NewConversation(inboxID: inbox.inboxID, contactID: contactID, sourceID: "visitor-\(n)")))
                        guard let conversationID = conversation.lazy.compactMap({ if case .conversationCreated(let e) = $0.body { e.conversationID } else { nil } }).first
                        else { throw HarnessError.childFailed("seeding: conversation \(n) not created") }
                        if n % 7 == 0 {
                            _ = try await run(account, .user(admin), .assign(conversationID: conversationID, assigneeID: admin))
                        }
                        created.append(conversationID)
                    }
                    return created
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        // A reply in one conversation of twenty, picked at random, so the
        // newest activity is not simply the newest conversations.
        let touched = Array(created.shuffled().prefix(created.count / 20))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    for conversation in stride(from: caller, to: touched.count, by: callers).map({ touched[$0] }) {
                        _ = try await run(
                            account, .user(admin), .sendMessage(conversationID: conversation, message: NewMessage(content: "Any news on this?")))
                    }
                }
            }
            try await group.waitForAll()
        }

        var projection = Latencies()
        let clock = ContinuousClock()
        for n in 0..<max(requests, pages) {
            var query = ConversationQuery()
            query.page = n % pages + 1
            let started = clock.now
            _ = ledger.withProjections { $0.conversations.list(account: account, user: admin, query: query) }
            projection.record(clock.now - started)
        }
        return Seeded(accountID: account, accessToken: token, projection: projection)
    }
}
