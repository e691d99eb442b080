import Synchronization

/// The bounded queue between an event stream's producers (one per channel,
/// and its clock) and its one writer.
///
/// A producer waits while the queue is full, so a reader that stops reading
/// stops its producers: their log tails overflow and later re-read the log,
/// and the stream's memory stays bounded. The writer takes everything queued
/// at once, to write it in one go. Closing wakes everyone: producers learn
/// they may stop, the writer that the stream is over; what was still queued
/// is dropped (the client's last id covers only what it was sent).
final class EventStreamOutbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var closed = false
        var receiver: CheckedContinuation<[Item]?, Never>?
        var senders: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Queues `item`, waiting while the queue is full; false once the outbox is closed.
    func send(_ item: Item) async -> Bool {
        while true {
            let outcome = state.withLock { state -> SendOutcome in
                if state.closed { return .closed }
                guard state.items.count < capacity else { return .full }
                if let receiver = state.receiver {
                    state.receiver = nil
                    return .handed(receiver)
                }
                state.items.append(item)
                return .queued
            }
            switch outcome {
            case .closed:
                return false
            case .queued:
                return true
            case .handed(let receiver):
                receiver.resume(returning: [item])
                return true
            case .full:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = state.withLock { state -> Bool in
                        if state.closed || state.items.count < capacity { return true }
                        state.senders.append(continuation)
                        return false
                    }
                    if now { continuation.resume() }
                }
            }
        }
    }

    private enum SendOutcome {
        case closed
        case queued
        case handed(CheckedContinuation<[Item]?, Never>)
        case full
    }

    /// Everything queued, oldest first, waiting while there is nothing; nil once closed.
    /// One writer only.
    func receive() async -> [Item]? {
        await withCheckedContinuation { (continuation: CheckedContinuation<[Item]?, Never>) in
            let (answer, senders) = state.withLock { state -> ([Item]??, [CheckedContinuation<Void, Never>]) in
                if state.closed { return (.some(nil), []) }
                guard !state.items.isEmpty else {
                    state.receiver = continuation
                    return (nil, [])
                }
                defer {
                    state.items.removeAll(keepingCapacity: true)
                    state.senders.removeAll()
                }
                return (.some(state.items), state.senders)
            }
            senders.forEach { $0.resume() }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// Ends the stream for producers and writer alike. Safe to call more than once, from anywhere.
    func close() {
        let (receiver, senders) = state.withLock { state in
            state.closed = true
            state.items.removeAll()
            defer {
                state.receiver = nil
                state.senders.removeAll()
            }
            return (state.receiver, state.senders)
        }
        receiver?.resume(returning: nil)
        senders.forEach { $0.resume() }
    }
}
