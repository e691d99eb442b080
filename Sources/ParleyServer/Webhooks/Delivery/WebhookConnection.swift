import NIOCore
import NIOHTTP1

/// One keep-alive HTTP/1.1 connection to a webhook's endpoint, carrying one
/// request at a time (no pipelining: a delivery is a POST, which RFC 9112
/// advises against pipelining). Each request goes out as one flush, so head
/// and body leave in one write; the answer's status is kept and its body
/// dropped as it arrives.
///
/// The last handler of the channel's pipeline, confined to its event loop.
/// It tells its pool when it is ready for a request and when it is gone.
final class WebhookConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let pool: WebhookConnectionPool
    private var context: ChannelHandlerContext?
    private var current: WebhookExchange?
    private var status: HTTPResponseStatus = .internalServerError
    private var keepAlive = true
    private var active = false
    /// When it last finished a request; the pool closes it after a while idle.
    var idleSince = NIODeadline.now()

    init(pool: WebhookConnectionPool) {
        self.pool = pool
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        active = true
        pool.ready(self)
        context.fireChannelActive()
    }

    /// Sends `exchange`'s request. Called by the pool, on the loop, only
    /// when this connection is idle.
    func send(_ exchange: WebhookExchange) {
        guard let context, active else { return exchange.finish(.failure(WebhookTransportError.closedBeforeAnswer)) }
        current = exchange
        exchange.connection = self
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            guard let exchange = current else { return context.close(promise: nil) }
            current = nil
            exchange.finish(.success(status))
            if keepAlive { pool.ready(self) } else { context.close(promise: nil) }
        }
    }

    /// Ends the request under way with `error` and closes the connection:
    /// its answer, if one still comes, belongs to nobody.
    func abort(_ error: any Error) {
        current?.finish(.failure(error))
        current = nil
        context?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        current?.finish(.failure(error))
        current = nil
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        current?.finish(.failure(WebhookTransportError.closedBeforeAnswer))
        current = nil
        if active {
            active = false
            pool.gone(self)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }
}
