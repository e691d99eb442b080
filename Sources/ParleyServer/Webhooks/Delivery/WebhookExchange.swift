import NIOCore
import NIOHTTP1

/// One delivery attempt, from the moment it asks for a connection until its
/// answer, its deadline or its connection's end. Confined to its pool's
/// event loop; it finishes once, whichever comes first.
final class WebhookExchange {
    let head: HTTPRequestHead
    let body: ByteBuffer
    private let completion: @Sendable (Result<HTTPResponseStatus, any Error>) -> Void
    var deadline: Scheduled<Void>?
    /// The connection the request went out on; nil while it waits for one.
    var connection: WebhookConnection?
    private(set) var finished = false

    init(head: HTTPRequestHead, body: ByteBuffer, completion: @escaping @Sendable (Result<HTTPResponseStatus, any Error>) -> Void) {
        self.head = head
        self.body = body
        self.completion = completion
    }

    func finish(_ result: Result<HTTPResponseStatus, any Error>) {
        guard !finished else { return }
        finished = true
        deadline?.cancel()
        connection = nil
        completion(result)
    }
}

/// Why an attempt got no answer, in words the status API can show.
enum WebhookTransportError: Error, CustomStringConvertible {
    case timedOut
    case closedBeforeAnswer
    case stopped

    var description: String {
        switch self {
        case .timedOut: "timed out"
        case .closedBeforeAnswer: "the endpoint closed the connection before answering"
        case .stopped: "the webhook stopped"
        }
    }
}
