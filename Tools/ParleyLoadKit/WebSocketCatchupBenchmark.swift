import Foundation
import NIOCore
import NIOPosix

/// A client that was away while many messages were written catches up:
/// it subscribes with recovery, disconnects, misses `missed` messages posted
/// over HTTP, reconnects with its epoch and offset, and, when the server
/// answers `recovered: false`, pages the rest through `history`.
///
/// A conversation takes 200 messages a minute, so the messages are spread
/// over as many conversations of one inbox as they need and the client
/// follows the inbox's channel, which carries them all.
public struct WebSocketCatchupBenchmark: Sendable {
    public struct Report: Codable, Sendable {
        public var missed: Int
        /// Distinct missed messages received after reconnecting.
        public var received: Int
        public var lost: Int
        public var duplicated: Int
        public var outOfSequence: Int
        /// Objects in the server's frames that were not well-formed JSON.
        public var malformed: Int
        /// From the reconnect's TCP connect to the last missed publication in hand.
        public var catchupMilliseconds: Double
        /// What the recovering subscribe said, and the history pages asked for after it.
        public var recovered: Bool
        public var recoveredPublications: Int
        public var historyPages: Int
        public var conversations: Int
        public var errors: Int
        public var firstError: String?
        public var postSeconds: Double

        enum CodingKeys: String, CodingKey {
            case missed, received, lost, duplicated, malformed, recovered, conversations, errors
            case outOfSequence = "out_of_sequence"
            case catchupMilliseconds = "catchup_ms"
            case recoveredPublications = "recovered_publications"
            case historyPages = "history_pages"
            case firstError = "first_error"
            case postSeconds = "post_s"
        }
    }

    public var missed: Int
    /// Messages per conversation, under the 200 a minute a conversation takes.
    public var perConversation: Int
    public var pageSize: Int

    public init(missed: Int, perConversation: Int = 100, pageSize: Int = 1000) {
        self.missed = missed
        self.perConversation = perConversation
        self.pageSize = pageSize
    }

    var conversations: Int { (missed + perConversation - 1) / perConversation }

    public func run(serverExecutable: String, scratch: String, logLevel: String? = nil) async throws -> Report {
        try await HTTPServerProcess.running(executable: serverExecutable, dataDirectory: scratch + "/data", logLevel: logLevel) {
            server, group in try await measure(server, group: group)
        }
    }

    private func measure(_ server: HTTPServerProcess, group: MultiThreadedEventLoopGroup) async throws -> Report {
        var open: [HTTPConnection] = []
        for _ in 0..<8 { open.append(try await HTTPConnection.connect(host: server.host, port: server.port, group: group)) }
        let http = open
        defer { for connection in http { connection.channel.close(promise: nil) } }

        let workspace = try await HTTPWorkspace.create(on: server, connections: http, conversations: conversations)
        let token = try await workspace.realtimeToken(over: http[0], host: server.address)
        let channel = JSONText.string("inbox:\(workspace.accountID):\(workspace.inboxID)")

        // Subscribed, with the position to come back to.
        let first = try await CentrifugeConnection.open(host: server.host, port: server.port, group: group)
        let position: CentrifugeReply
        do {
            try await first.connect(token: token)
            position = try await first.command("\"subscribe\":{\"channel\":\(channel),\"recoverable\":true}")
            await first.close()
        } catch {
            await first.close()
            throw error
        }
        guard let epoch = position.epoch else { throw HarnessError.childFailed("the recoverable subscribe answered no epoch") }
        let offset = position.offset ?? 0

        // Away while the messages are written.
        let content = HTTPMessageBenchmark.content(bytes: 200)
        let body = Array(try JSONSerialization.data(withJSONObject: ["content": content, "message_type": "outgoing"]))
        let requests = workspace.conversationIDs.map { conversation in
            PreparedRequest(
                method: .POST, path: "/api/v1/accounts/\(workspace.accountID)/conversations/\(conversation)/messages",
                host: server.address, token: workspace.accessToken, body: body)
        }
        let posted = try await MessagePoster.run(on: http, requests: requests, total: missed, perSecond: nil)

        // Back: recover, then page through history if the server says so.
        let reconnected = NIODeadline.now()
        let socket = try await CentrifugeConnection.open(host: server.host, port: server.port, group: group)
        let (recovery, pages): (CentrifugeReply, Int)
        do {
            try await socket.connect(token: token)
            recovery = try await socket.command(
                "\"subscribe\":{\"channel\":\(channel),\"recover\":true,\"epoch\":\(JSONText.string(epoch)),\"offset\":\(offset)}")
            pages = try await page(socket, channel: channel, recovery: recovery, from: offset)
        } catch {
            await socket.close()
            throw error
        }
        let received = try await socket.received()
        await socket.close()

        var acknowledgements: [UInt64: MessagePoster.Acknowledgement] = [:]
        for acknowledgement in posted.acknowledgements { acknowledgements[acknowledgement.messageID] = acknowledgement }
        var tally = DeliveryTally()
        tally.add(received.deliveries, conversation: nil, after: offset, acknowledgements: acknowledgements)
        // Counted from the reconnect, not from the acknowledgements.
        let last = received.deliveries.filter { acknowledgements[$0.messageID] != nil }.map(\.at).max()
        return Report(
            missed: posted.acknowledgements.count, received: tally.delivered, lost: posted.acknowledgements.count - tally.delivered,
            duplicated: tally.duplicated, outOfSequence: tally.outOfSequence, malformed: received.malformed,
            catchupMilliseconds: last.map { (Double(($0 - reconnected).nanoseconds) / 1e6).roundedTo(3) } ?? 0,
            recovered: recovery.recovered ?? false, recoveredPublications: recovery.publications.count, historyPages: pages,
            conversations: conversations, errors: posted.errors, firstError: posted.firstError,
            postSeconds: (posted.finished - posted.started).seconds.roundedTo(3))
    }

    /// After `recovered: false`, asks for history pages from `offset` until
    /// the position the subscribe reported; returns how many pages it took.
    private func page(_ socket: CentrifugeConnection, channel: String, recovery: CentrifugeReply, from offset: UInt64) async throws -> Int {
        guard recovery.recovered != true else { return 0 }
        guard let top = recovery.offset, let epoch = recovery.epoch else {
            throw HarnessError.childFailed("recovered: false without the current offset and epoch")
        }
        var position = offset
        var pages = 0
        while position < top {
            let page = try await socket.command(
                "\"history\":{\"channel\":\(channel),\"limit\":\(pageSize),\"since\":{\"offset\":\(position),\"epoch\":\(JSONText.string(epoch))}}"
            )
            pages += 1
            guard let last = page.publications.last?.offset, last > position else {
                throw HarnessError.childFailed("history after offset \(position) answered no later publication (the stream is at \(top))")
            }
            position = last
        }
        return pages
    }
}
