import NIOCore
import NIOHTTP1
import NIOPosix

/// A response: its status and, when asked for, its body.
public struct HTTPResult: Sendable {
    public var status: Int
    public var body: [UInt8]
}

/// A request ready to send again and again: encoded once, head and body in
/// one buffer, so each send is a single write.
public struct PreparedRequest: Sendable {
    public let method: HTTPMethod
    public let path: String
    public let bytes: ByteBuffer

    public init(method: HTTPMethod, path: String, host: String, token: String?, body: [UInt8]?) {
        self.method = method
        self.path = path
        var head = "\(method.rawValue) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        if let token { head += "api_access_token: \(token)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        var bytes = ByteBuffer(string: head)
        if let body { bytes.writeBytes(body) }
        self.bytes = bytes
    }
}

public enum HTTPClientError: Error, CustomStringConvertible {
    case connectionClosed
    case requestInFlight
    case malformedResponse(String)
    case unexpectedStatus(method: String, path: String, status: Int, body: String)

    public var description: String {
        switch self {
        case .connectionClosed: "the server closed the connection"
        case .requestInFlight: "a request was sent while another was in flight on the same connection"
        case .malformedResponse(let reason): "the server's response cannot be read: \(reason)"
        case .unexpectedStatus(let method, let path, let status, let body): "\(method) \(path) answered \(status): \(body)"
        }
    }
}

/// One keep-alive HTTP/1.1 connection, one request at a time (no
/// pipelining). Requests go out from the connection's event loop and the
/// answer comes back as a callback on it, so a load loop runs without
/// leaving that thread.
///
/// No HTTP codec sits in the pipeline: requests are written as prepared and
/// answers read by ``ResponseReader``. The load generator shares the
/// machine's cores with the server it measures, and a codec's encoding,
/// header validation and parsing cost it about a third of its CPU.
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
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var completion: ((Result<HTTPResult, any Error>) -> Void)?
    private var reader = ResponseReader()

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
        reader.expect(keepingBody: keepBody)
        context.writeAndFlush(wrapOutboundOut(request.bytes), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        do {
            guard let result = try reader.read(&bytes) else { return }
            let completion = self.completion
            self.completion = nil
            completion?(.success(result))
        } catch {
            fail(error)
            context.close(promise: nil)
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
