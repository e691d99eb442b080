import Hummingbird
import Logging

/// The request context of every Parley route: Hummingbird's core storage,
/// whose logger carries the request id.
public struct ParleyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
