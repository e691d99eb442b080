import NIOCore
import NIOPosix

/// The event loops webhook deliveries run on: threads of their own, so a
/// webhook's connections (hundreds of requests a second each, a slow TLS
/// handshake, an endpoint that trickles its answer) never queue behind the
/// API's requests on the server's loops, nor the API's behind them.
enum WebhookLoops {
    static func make(threads: Int = System.coreCount) -> MultiThreadedEventLoopGroup {
        MultiThreadedEventLoopGroup(numberOfThreads: threads)
    }
}
