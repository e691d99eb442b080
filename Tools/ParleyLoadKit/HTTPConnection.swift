import NIOCore
import NIOHTTP1
import NIOPosix

/// A response: its status and, when asked for, its body.
public struct HTTPResult: Sendable {
    public var status: Int
    public var body: [UInt8]
}

/// A request ready to send again and again: head and body are built once.
public struct PreparedRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: ByteBuffer?

    public init(method: HTTPMethod, path: String, host: String, token: String?, body: [UInt8]?) {
        var headers = HTTPHeaders([("Host", host)])
        if let token { headers.add(name: "api_access_token", value: token) }
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.count))
        }
        head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        self.body = body.map { ByteBuffer(bytes: $0) }
    }
}

public enum HTTPClientError: Error, CustomStringConvertible {
    case connectionClosed
    case requestInFlight
    case unexpectedStatus(method: String, path: String, status: Int, body: String)

    public var description: String {
        switch self {
        case .connectionClosed: "the server closed the connection"
        case .requestInFlight: "a request was sent while another was in flight on the same connection"
        case .unexpectedStatus(let method, let path, let status, let body): "\(method) \(path) answered \(status): \(body)"
        }
    }
}

/// One keep-alive HTTP/1.1 connection, one request at a time (no
/// pipelining). Requests go out from the connection's event loop and the
/// answer comes back as a callback on it, so a load loop runs without
/// leaving that thread.
public final class HTTPConnection: Sendable {
    public let channel: any Channel
    private let exchange: NIOLoopBound<ExchangeHandler>

    private init(channel: any Channel, exchange: NIOLoopBound<ExchangeHandler>) {
        self.channel = channel
        self.exchange = exchange
    }

    public static func connect(host: String, port: Int, group: any EventLoopGroup) async throws -> HTTPConnection {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                }
            }
            .connect(host: host, port: port).get()
        let exchange = try await channel.eventLoop.submit {
            let handler = ExchangeHandler()
            try channel.pipeline.syncOperations.addHandler(handler)
            return NIOLoopBound(handler, eventLoop: channel.eventLoop)
        }.get()
        return HTTPConnection(channel: channel, exchange: exchange)
    }

    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Sends `request`; `completion` runs on the event loop with the answer.
    /// Call on the connection's event loop.
    public func send(
        _ request: PreparedRequest, keepBody: Bool, completion: @escaping (Result<HTTPResult, any Error>) -> Void
    ) {
        exchange.value.send(request, keepBody: keepBody, completion: completion)
    }

    /// Sends `request` from anywhere and waits for the whole answer.
    public func request(_ request: PreparedRequest) async throws -> HTTPResult {
        try await withCheckedThrowingContinuation { continuation in
            channel.eventLoop.execute {
                self.send(request, keepBody: true) { continuation.resume(with: $0) }
            }
        }
    }

    public func close() async {
        try? await channel.close()
    }
}

/// Writes a request and collects its response, one exchange at a time.
private final class ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private var context: ChannelHandlerContext?
    private var completion: ((Result<HTTPResult, any Error>) -> Void)?
    private var status = 0
    private var keepBody = false
    private var body: [UInt8] = []

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func send(_ request: PreparedRequest, keepBody: Bool, completion: @escaping (Result<HTTPResult, any Error>) -> Void) {
        guard let context, context.channel.isActive else { return completion(.failure(HTTPClientError.connectionClosed)) }
        guard self.completion == nil else { return completion(.failure(HTTPClientError.requestInFlight)) }
        self.completion = completion
        self.keepBody = keepBody
        status = 0
        body.removeAll(keepingCapacity: true)
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let payload = request.body { context.write(wrapOutboundOut(.body(.byteBuffer(payload))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(let chunk):
            if keepBody { body.append(contentsOf: chunk.readableBytesView) }
        case .end:
            let completion = self.completion
            self.completion = nil
            completion?(.success(HTTPResult(status: status, body: body)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTPClientError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        let completion = self.completion
        self.completion = nil
        completion?(.failure(error))
    }
}
