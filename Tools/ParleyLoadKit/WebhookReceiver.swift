import Foundation
import NIOCore
import NIOPosix

/// Webhook endpoints for the benchmark: one HTTP/1.1 listener per endpoint
/// on loopback, each answering every POST 200 at once and noting, per
/// message sequence number (the `load-N` content the benchmark sends), when
/// it first arrived. Repeats are counted, not timed.
///
/// The endpoints run on event loops of their own, so answering deliveries
/// never delays the benchmark's posting connections: the load measured is
/// the server's, not the receiver's queue.
public final class WebhookReceiver: Sendable {
    /// What the endpoints have seen: per endpoint, the first arrival (uptime
    /// nanoseconds) of each sequence number.
    struct Tally {
        var arrivals: [[Int: UInt64]]
        var repeats = 0
        var unreadable = 0
    }

    /// The tally behind a lock, shared by every endpoint's handlers.
    final class SharedTally: @unchecked Sendable {
        private let lock = NSLock()
        private var tally: Tally

        init(endpoints: Int) {
            tally = Tally(arrivals: Array(repeating: [:], count: endpoints))
        }

        func withLock<T>(_ body: (inout Tally) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&tally)
        }
    }

    let tally: SharedTally
    private let channels: [any Channel]
    private let group: MultiThreadedEventLoopGroup

    public var ports: [Int] { channels.map { $0.localAddress?.port ?? 0 } }

    private init(channels: [any Channel], group: MultiThreadedEventLoopGroup, tally: SharedTally) {
        self.channels = channels
        self.group = group
        self.tally = tally
    }

    /// Starts `endpoints` endpoints on `threads` threads of their own.
    public static func start(endpoints: Int, threads: Int) async throws -> WebhookReceiver {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let tally = SharedTally(endpoints: endpoints)
        var channels: [any Channel] = []
        do {
            for endpoint in 0..<endpoints {
                let channel = try await ServerBootstrap(group: group)
                    .serverChannelOption(.backlog, value: 256)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(EndpointHandler(endpoint: endpoint, tally: tally))
                        }
                    }
                    .bind(host: "127.0.0.1", port: 0).get()
                channels.append(channel)
            }
        } catch {
            for channel in channels { try? await channel.close() }
            try? await group.shutdownGracefully()
            throw error
        }
        return WebhookReceiver(channels: channels, group: group, tally: tally)
    }

    /// Creates one webhook of `workspace`'s account per endpoint, subscribed to `message_created`.
    func subscribe(_ workspace: HTTPWorkspace, through caller: JSONCaller) async throws {
        for port in ports {
            _ = try await caller.call(
                .POST, "/api/v1/accounts/\(workspace.accountID)/webhooks", token: workspace.accessToken,
                ["url": "http://127.0.0.1:\(port)/hook", "subscriptions": ["message_created"]])
        }
    }

    public func stop() async {
        for channel in channels { try? await channel.close() }
        try? await group.shutdownGracefully()
    }

    /// `load-N` in a payload: the message's sequence number. Searched for
    /// over the bytes where they lie: a generic collection search
    /// (`firstRange(of:)` on the buffer's view) took most of an endpoint's CPU.
    static func sequence(in body: ByteBuffer) -> Int? {
        let marker: StaticString = #""content":"load-"#
        return body.withUnsafeReadableBytes { bytes -> Int? in
            let wanted = UnsafeRawBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount)
            guard bytes.count >= wanted.count,
                let start = (0...(bytes.count - wanted.count)).first(where: { at in
                    bytes[at] == wanted[0] && memcmp(bytes.baseAddress! + at, wanted.baseAddress!, wanted.count) == 0
                })
            else { return nil }
            var index = start + wanted.count
            var value = 0
            var digits = 0
            while index < bytes.count, let digit = bytes[index].wholeNumberDigit {
                value = value * 10 + digit
                index += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
    }
}

extension UInt8 {
    fileprivate var wholeNumberDigit: Int? { (48...57).contains(self) ? Int(self - 48) : nil }
}

/// Reads each request, notes its arrival and answers 200.
///
/// No HTTP codec sits in the pipeline: requests are cut from the bytes by
/// ``MessageReader`` (Parley's deliveries carry a `Content-Length`) and the
/// answer is written as prepared. The endpoints share the machine's cores
/// with the server they measure, and a codec cost them about a third of
/// their CPU.
private final class EndpointHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let ok = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    static let okClosing = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    let endpoint: Int
    let tally: WebhookReceiver.SharedTally
    /// A request without a length has no body.
    private var requests = MessageReader { head in head.contentLength ?? 0 }

    init(endpoint: Int, tally: WebhookReceiver.SharedTally) {
        self.endpoint = endpoint
        self.tally = tally
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        do {
            while let (head, body) = try requests.read(&bytes) {
                note(body)
                context.writeAndFlush(wrapOutboundOut(head.closes ? Self.okClosing : Self.ok), promise: nil)
                if head.closes { return context.close(promise: nil) }
            }
        } catch {
            context.close(promise: nil)
        }
    }

    private func note(_ body: ByteBuffer) {
        let arrived = DispatchTime.now().uptimeNanoseconds
        let sequence = WebhookReceiver.sequence(in: body)
        tally.withLock { tally in
            guard let sequence else { return tally.unreadable += 1 }
            if tally.arrivals[endpoint][sequence] == nil {
                tally.arrivals[endpoint][sequence] = arrived
            } else {
                tally.repeats += 1
            }
        }
    }
}
