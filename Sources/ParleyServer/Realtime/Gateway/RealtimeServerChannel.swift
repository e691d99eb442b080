import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// Each accepted connection: HTTP/1.1 for the API, or, when its first
/// request asks for it at `/connection/websocket`, a WebSocket upgrade.
///
/// Hummingbird runs ``handle(value:logger:)`` on a task per connection.
/// An HTTP connection keeps its task while it is open; an upgraded one hands
/// itself to a ``RealtimeConnection`` in the channel's pipeline and its task
/// ends, so thousands of idle WebSocket clients hold no task stacks.
struct RealtimeServerChannel: ServerChildChannel, HTTPChannelHandler {
    /// What became of the first request.
    enum Upgrade: Sendable {
        /// A WebSocket now, served by its pipeline.
        case websocket
        /// Plain HTTP.
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// The first request asked for an upgrade that was not made (another
        /// path or protocol, a malformed handshake). NIO's upgrade handler
        /// does not pass such a request's head on, so it cannot be served:
        /// it is refused without being read.
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    struct Value: ServerChildChannelValue {
        let upgrade: EventLoopFuture<Upgrade>
        let channel: any Channel
    }

    static let path = "/connection/websocket"

    let gateway: RealtimeGateway
    let responder: HTTPChannelHandler.Responder

    init(gateway: RealtimeGateway, responder: @escaping HTTPChannelHandler.Responder) {
        self.gateway = gateway
        self.responder = Self.answeringUpgrades(before: responder)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let asked = UpgradeRequests(eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
                maxFrameSize: gateway.api.configuration.maxFrameBytes,
                shouldUpgrade: { channel, head in
                    let path = head.uri.split(separator: "?", maxSplits: 1).first
                    return channel.eventLoop.makeSucceededFuture(path == Self.path[...] ? HTTPHeaders() : nil)
                },
                upgradePipelineHandler: { [gateway] channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        try RealtimeConnection.install(on: channel, gateway: gateway)
                        return .websocket
                    }
                })
            let http = NIOTypedHTTPServerUpgradeConfiguration<Upgrade>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return asked.seen ? .refused(asyncChannel) : .http(asyncChannel)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: http)
            // Hummingbird answers one request at a time, validates the
            // response heads it writes and turns errors into responses.
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            let limits = HTTP1Channel.Configuration().httpDecoder
            configuration.decoderConfiguration.maxHeaderFieldSize = limits.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = limits.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = limits.maxHeaderFieldCount
            let upgrade = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            let upgrades = try channel.pipeline.syncOperations.handler(type: NIOTypedHTTPServerUpgradeHandler<Upgrade>.self)
            try channel.pipeline.syncOperations.addHandler(asked, position: .before(upgrades))
            return Value(upgrade: upgrade, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgrade.get() {
            case .websocket:
                return
            case .http(let asyncChannel):
                await handleHTTP(asyncChannel: asyncChannel, logger: logger)
            case .refused(let asyncChannel):
                try await asyncChannel.executeThenClose { _, outbound in
                    let (head, body) = Self.refusal
                    try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
                }
            }
        } catch {
            logger.debug("connection ended before its first request was answered", metadata: ["error": "\(error)"])
            value.channel.close(promise: nil)
        }
    }

    /// A request asking for WebSocket that was not upgraded: at
    /// `/connection/websocket` with a valid handshake it came after another
    /// request on its connection (NIO upgrades only a connection's first)
    /// and is sent to the same address on a new connection; anything else is
    /// refused with the API's error shape. Either way the connection closes.
    private static func answeringUpgrades(
        before responder: @escaping HTTPChannelHandler.Responder
    ) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, writer, channel)
            }
            let handshake =
                request.headers[.secWebSocketKey] != nil && request.headers[.secWebSocketVersion] == "13"
            if request.uri.path == path, handshake {
                let target = request.uri.query.map { "\(path)?\($0)" } ?? path
                try await writer.writeResponse(
                    HTTPResponse(
                        status: .temporaryRedirect, headerFields: [.location: target, .connection: "close", .contentLength: "0"]))
            } else {
                let (head, body) = refusal
                try await writer.write(response: head, body: ResponseBody(byteBuffer: body))
            }
            throw UpgradeAnswered()
        }
    }

    /// A refused upgrade's answer, in the API's error shape; the connection closes after it.
    static let refusal: (HTTPResponse, ByteBuffer) = {
        let error = APIError.badRequest(
            "upgrade_refused", "this server upgrades to WebSocket only, at \(path), with a valid handshake")
        let body = ByteBuffer(bytes: error.body.bytes)
        let head = HTTPResponse(
            status: error.status,
            headerFields: [.contentType: "application/json", .contentLength: "\(body.readableBytes)", .connection: "close"])
        return (head, body)
    }()

    /// Ends a connection after its upgrade was answered.
    private struct UpgradeAnswered: Error {}
}

/// Notes whether a connection's first request asked for an upgrade, then
/// leaves the pipeline.
private final class UpgradeRequests: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let asked: NIOLoopBoundBox<Bool>

    init(eventLoop: any EventLoop) {
        asked = NIOLoopBoundBox(false, eventLoop: eventLoop)
    }

    /// Read on the connection's event loop once its first request head has passed.
    var seen: Bool { asked.value }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        asked.value = head.headers["upgrade"].contains { $0.contains { !$0.isWhitespace } }
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
