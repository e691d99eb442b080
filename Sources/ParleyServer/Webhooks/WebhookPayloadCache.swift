import DequeModule
import Synchronization

/// The payloads of the newest offsets rendered, the oldest dropped first.
/// A miss only costs a render: a worker far behind the others renders for itself.
final class WebhookPayloadCache: Sendable {
    /// A rendered entry; `payload` is nil for one that sends nothing.
    struct Rendered: Sendable {
        var payload: WebhookPayload?
    }

    private struct State {
        var byOffset: [UInt64: Rendered] = [:]
        var order: Deque<UInt64> = []
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    func payload(at offset: UInt64) -> Rendered? {
        state.withLock { $0.byOffset[offset] }
    }

    func store(_ payload: WebhookPayload?, at offset: UInt64) {
        state.withLock { state in
            guard state.byOffset.updateValue(Rendered(payload: payload), forKey: offset) == nil else { return }
            state.order.append(offset)
            if state.order.count > capacity, let oldest = state.order.popFirst() { state.byOffset[oldest] = nil }
        }
    }
}
