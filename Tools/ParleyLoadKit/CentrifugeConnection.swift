import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// A publication as one connection received it, and when.
public struct Delivery: Sendable {
    public var offset: UInt64
    /// 0 when the publication carries no message.
    public var messageID: UInt64
    public var at: NIODeadline
}

/// What one connection received: its publications, and how many objects it could not read.
public struct Received: Sendable {
    public var deliveries: [Delivery]
    public var malformed: Int
}

/// Message publications received by all connections so far, to know when the tail has arrived.
public final class DeliveryCounter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    func add(_ amount: Int) {
        count.add(amount, ordering: .relaxed)
    }

    public var value: Int { count.load(ordering: .relaxed) }
}

public enum CentrifugeClientError: Error, CustomStringConvertible {
    case notUpgraded
    case closed(code: Int?, reason: String?)
    case timedOut(command: String)
    case refused(command: String, code: Int, message: String)

    public var description: String {
        switch self {
        case .notUpgraded: "the server did not upgrade /connection/websocket to a WebSocket"
        case .closed(let code, let reason): "the connection closed (disconnect \(code.map(String.init) ?? "-") \(reason ?? ""))"
        case .timedOut(let command): "no reply to \(command)"
        case .refused(let command, let code, let message): "\(command) refused: \(code) \(message)"
        }
    }
}

/// One Centrifugo client connection over a WebSocket (SwiftNIO's own
/// NIOWebSocket). Frames are read on the connection's event loop: replies
/// complete the command that asked, pings are answered, and publications,
/// live or in a reply's `publications`, are recorded with the time they
/// arrived, for the benchmark to collect at the end.
public final class CentrifugeConnection: Sendable {
    public let channel: any Channel
    private let handler: NIOLoopBound<CentrifugeHandler>

    private init(channel: any Channel, handler: NIOLoopBound<CentrifugeHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// The largest frame accepted from the server: a history page of 1,000 publications.
    public static let maxFrameBytes = 64 << 20
    static let upgradeTimeout = TimeAmount.seconds(30)

    /// Opens a WebSocket to `/connection/websocket`; publications with a
    /// message are counted in `counter`.
    public static func open(
        host: String, port: Int, group: any EventLoopGroup, counter: DeliveryCounter? = nil
    ) async throws -> CentrifugeConnection {
        let upgraded: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrameBytes) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            let handler = CentrifugeHandler(counter: counter)
                            try channel.pipeline.syncOperations.addHandler(
                                NIOWebSocketFrameAggregator(
                                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 16, maxAccumulatedFrameSize: maxFrameBytes))
                            try channel.pipeline.syncOperations.addHandler(handler)
                            return .upgraded(channel, NIOLoopBound(handler, eventLoop: channel.eventLoop))
                        }
                    }
                    let head = HTTPRequestHead(
                        version: .http1_1, method: .GET, uri: "/connection/websocket",
                        headers: HTTPHeaders([("Host", "\(host):\(port)"), ("Content-Length", "0")]))
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.close(promise: nil)
                            return channel.eventLoop.makeSucceededFuture(.refused)
                        })
                    let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                    // A server that never answers the upgrade does not hold the benchmark forever.
                    let timeout = channel.eventLoop.scheduleTask(in: upgradeTimeout) { channel.close(promise: nil) }
                    negotiated.whenComplete { _ in timeout.cancel() }
                    return negotiated
                }
            }
        guard case .upgraded(let channel, let handler) = try await upgraded.get() else { throw CentrifugeClientError.notUpgraded }
        return CentrifugeConnection(channel: channel, handler: handler)
    }

    private enum Upgrade: Sendable {
        case upgraded(any Channel, NIOLoopBound<CentrifugeHandler>)
        case refused
    }

    /// Sends `{"id":…,<body>}` and waits for the reply; an error reply throws.
    @discardableResult
    public func command(_ body: String, timeout: TimeAmount = .seconds(60)) async throws -> CentrifugeReply {
        let promise = channel.eventLoop.makePromise(of: CentrifugeReply.self)
        channel.eventLoop.execute {
            self.handler.value.send(body, timeout: timeout, promise: promise)
        }
        let reply = try await promise.futureResult.get()
        if let code = reply.errorCode {
            throw CentrifugeClientError.refused(command: String(body.prefix(80)), code: code, message: reply.errorMessage ?? "")
        }
        return reply
    }

    /// Connects with `token`; pings are answered from then on if the server asks for pongs.
    @discardableResult
    public func connect(token: String) async throws -> CentrifugeReply {
        try await command("\"connect\":{\"token\":\(JSONText.string(token))}")
    }

    /// Everything recorded so far, publications in the order they arrived.
    public func received() async throws -> Received {
        try await channel.eventLoop.submit { self.handler.value.received }.get()
    }

    /// Sends a close frame and closes.
    public func close() async {
        let handler = self.handler
        try? await channel.eventLoop.submit { handler.value.sendClose() }.get()
        try? await channel.close()
    }
}

/// The connection's end of the protocol, on its event loop.
final class CentrifugeHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let counter: DeliveryCounter?
    private var context: ChannelHandlerContext?
    private var nextID: UInt64 = 1
    private var pending: [UInt64: (promise: EventLoopPromise<CentrifugeReply>, timeout: Scheduled<Void>)] = [:]
    private var answersPings = false
    private var closing = false
    private var disconnect: (code: Int, reason: String)?
    private(set) var received = Received(deliveries: [], malformed: 0)

    init(counter: DeliveryCounter?) {
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func send(_ body: String, timeout: TimeAmount, promise: EventLoopPromise<CentrifugeReply>) {
        guard let context, context.channel.isActive, !closing else {
            return promise.fail(CentrifugeClientError.closed(code: disconnect?.code, reason: disconnect?.reason))
        }
        let id = nextID
        nextID += 1
        let command = String(body.prefix(80))
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { () -> Void in
            self.pending.removeValue(forKey: id)?.promise.fail(CentrifugeClientError.timedOut(command: command))
        }
        pending[id] = (promise, timeout)
        write("{\"id\":\(id),\(body)}", context: context)
    }

    /// Says goodbye with a normal-closure frame; the caller closes the channel.
    func sendClose() {
        guard let context, context.channel.isActive, !closing else { return }
        closing = true
        var code = context.channel.allocator.buffer(capacity: 2)
        code.write(webSocketErrorCode: .normalClosure)
        context.writeAndFlush(
            wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            let now = NIODeadline.now()
            frame.unmaskedData.withUnsafeReadableBytes { bytes in
                CentrifugeFrame.messages(in: bytes) { self.handle($0, at: now, context: context) }
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var data = frame.unmaskedData
            if disconnect == nil, let code = data.readWebSocketErrorCode() {
                disconnect = (Int(UInt16(webSocketErrorCode: code)), data.readString(length: data.readableBytes) ?? "")
            }
            if !closing {
                closing = true
                let echo = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: frame.unmaskedData)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(echo)).whenComplete { _ in channel.close(promise: nil) }
            }
        default:
            break
        }
    }

    private func handle(_ message: CentrifugeMessage, at now: NIODeadline, context: ChannelHandlerContext) {
        switch message {
        case .ping:
            if answersPings { write("{}", context: context) }
        case .publication(let publication):
            record(publication, at: now)
        case .reply(let reply):
            if let pong = reply.pong { answersPings = pong }
            for publication in reply.publications { record(publication, at: now) }
            if let waiting = pending.removeValue(forKey: reply.id) {
                waiting.timeout.cancel()
                waiting.promise.succeed(reply)
            }
        case .disconnect(let code, let reason):
            disconnect = (code, reason)
        case .malformed:
            received.malformed += 1
        case .other:
            break
        }
    }

    private func record(_ publication: CentrifugePublication, at now: NIODeadline) {
        received.deliveries.append(Delivery(offset: publication.offset, messageID: publication.messageID ?? 0, at: now))
        if publication.messageID != nil { counter?.add(1) }
    }

    private func write(_ text: String, context: ChannelHandlerContext) {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: context.channel.allocator.buffer(string: text))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let error = CentrifugeClientError.closed(code: disconnect?.code, reason: disconnect?.reason)
        let waiting = pending
        pending = [:]
        for (_, entry) in waiting {
            entry.timeout.cancel()
            entry.promise.fail(error)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
