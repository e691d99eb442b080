import Hummingbird
import HummingbirdWebSocket
import Logging

/// The request context of every Parley route: Hummingbird's core storage,
/// whose logger carries the request id, and the slot a WebSocket upgrade
/// leaves its handler in.
public struct ParleyRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<ParleyRequestContext>

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
    }
}
