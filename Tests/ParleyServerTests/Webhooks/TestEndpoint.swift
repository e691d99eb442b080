import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An HTTP/1.1 endpoint on loopback for the delivery client's tests: records
/// every request and the connections it accepted, and answers as told.
final class TestEndpoint: Sendable {
    enum Behaviour: Sendable {
        /// 200, keeping the connection open.
        case answer
        /// 200 with `Connection: close`, then closes.
        case answerAndClose
        /// Reads the request and never answers.
        case silent
    }

    struct Seen: Sendable {
        var connections = 0
        var requests: [(head: HTTPRequestHead, body: [UInt8])] = []
    }

    let seen = Mutex(Seen())
    private let channel: any Channel

    var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// A self-signed certificate for `localhost` and 127.0.0.1, and its key.
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBmjCCAUGgAwIBAgIUewBtPe3eHZJU/JbCQJgGQ54W4NAwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMjAzMTQxMFoYDzIxMjYxMDI5
        MDMxNDEwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAAQipIzDoiKjGNTAuCrx/XSxsHMgNMXXjCBr+Paj9puxAX969br43n+t
        NUm7JiErTinBqGsRHuzAPfD/0P9CJfA6o28wbTAdBgNVHQ4EFgQUJ0ZHLCVMruO0
        M6v8k1Gb2Iqu9bwwHwYDVR0jBBgwFoAUJ0ZHLCVMruO0M6v8k1Gb2Iqu9bwwGgYD
        VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZI
        zj0EAwIDRwAwRAIgWBowxYecI7DookWwBNmHXwM5PN8ij0r1If4qjitHGsICIAQu
        hIs7Z4E34HnjK99oFaZWjxVsnY7XcaxztWIB0J/n
        -----END CERTIFICATE-----
        """
    static let privateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSK9pwuydBDq2ziFY
        ows+eYbjeVb297z5NY8zGKtsrQqhRANCAAQipIzDoiKjGNTAuCrx/XSxsHMgNMXX
        jCBr+Paj9puxAX969br43n+tNUm7JiErTinBqGsRHuzAPfD/0P9CJfA6
        -----END PRIVATE KEY-----
        """

    static func start(_ behaviour: Behaviour, tls: Bool = false) async throws -> TestEndpoint {
        let context = try tls ? NIOSSLContext(configuration: serverTLS()) : nil
        let box = SeenBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    box.endpoint?.seen.withLock { $0.connections += 1 }
                    let pipeline = channel.pipeline.syncOperations
                    if let context { try pipeline.addHandler(NIOSSLServerHandler(context: context)) }
                    try pipeline.configureHTTPServerPipeline()
                    try pipeline.addHandler(Answerer(behaviour: behaviour, box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let endpoint = TestEndpoint(channel: channel)
        box.endpoint = endpoint
        return endpoint
    }

    private static func serverTLS() throws -> TLSConfiguration {
        let certificate = try NIOSSLCertificate(bytes: Array(Self.certificate.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(Self.privateKey.utf8), format: .pem)
        return .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
    }

    /// A client configuration that trusts the endpoint's certificate only.
    static func trustingClientTLS() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(Self.certificate.utf8), format: .pem)])
        return configuration
    }

    func stop() async throws {
        try await channel.close()
    }
}

/// Lets the child handlers reach the endpoint made after the bootstrap.
private final class SeenBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: TestEndpoint?

    var endpoint: TestEndpoint? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

private final class Answerer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let behaviour: TestEndpoint.Behaviour
    let box: SeenBox
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(behaviour: TestEndpoint.Behaviour, box: SeenBox) {
        self.behaviour = behaviour
        self.box = box
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let part):
            body += part.readableBytesView
        case .end:
            guard let head else { return }
            let request = (head: head, body: body)
            box.endpoint?.seen.withLock { $0.requests.append(request) }
            switch behaviour {
            case .silent:
                return
            case .answer, .answerAndClose:
                var headers = HTTPHeaders([("Content-Length", "2")])
                if case .answerAndClose = behaviour { headers.add(name: "Connection", value: "close") }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
                guard case .answerAndClose = behaviour else { return context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil) }
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
            }
        }
    }
}
