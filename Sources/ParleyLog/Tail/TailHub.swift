import DequeModule
import Synchronization

/// Hands committed entries to live tails.
///
/// The syncer publishes the entries each fsync made durable here, together
/// with the new head, under one lock. A tail registers under the same lock and
/// learns the head at that instant: everything at or below it is in RocksDB,
/// everything above it will arrive in its buffer. That is what makes the
/// hand-over from stored to live entries free of gaps and duplicates.
///
/// Each tail's buffer is bounded. One that overflows is marked, its buffer
/// dropped, and the tail goes back to reading the log: a slow reader costs
/// itself a re-read, never the writer a wait, and never loses an entry.
final class TailHub: Sendable {
    enum Filter: Sendable {
        case all
        case stream(String)
    }

    enum Take {
        case entries([LogEntry])
        case overflowed
        case empty
        case closed
    }

    private struct Subscriber {
        var filter: Filter
        var buffer: Deque<LogEntry> = []
        var overflowed = false
        var cancelled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private struct State {
        var head: UInt64
        var closed = false
        var nextID = 0
        var subscribers: [Int: Subscriber] = [:]
        var everything: Set<Int> = []
        var byStream: [String: Set<Int>] = [:]
    }

    private let state: Mutex<State>
    private let capacity: Int

    init(head: UInt64, capacity: Int) {
        state = Mutex(State(head: head))
        self.capacity = capacity
    }

    /// The offset of the last committed entry.
    var head: UInt64 { state.withLock { $0.head } }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Registers a tail; returns its id and the head at registration.
    func register(_ filter: Filter) -> (id: Int, head: UInt64) {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(filter: filter)
            switch filter {
            case .all: state.everything.insert(id)
            case .stream(let name): state.byStream[name, default: []].insert(id)
            }
            return (id, state.head)
        }
    }

    func unregister(_ id: Int) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard let subscriber = state.subscribers.removeValue(forKey: id) else { return nil }
            switch subscriber.filter {
            case .all:
                state.everything.remove(id)
            case .stream(let name):
                state.byStream[name]?.remove(id)
                if state.byStream[name]?.isEmpty == true { state.byStream[name] = nil }
            }
            return subscriber.waiter
        }
        waiter?.resume()
    }

    /// Clears an overflowed tail's buffer; returns the head it must read the log up to.
    func reset(_ id: Int) -> UInt64 {
        state.withLock { state in
            state.subscribers[id]?.buffer.removeAll()
            state.subscribers[id]?.overflowed = false
            return state.head
        }
    }

    func take(_ id: Int) -> Take {
        state.withLock { state in
            guard !state.closed, var subscriber = state.subscribers[id] else { return .closed }
            if subscriber.overflowed { return .overflowed }
            if subscriber.buffer.isEmpty { return .empty }
            let entries = Array(subscriber.buffer)
            subscriber.buffer.removeAll(keepingCapacity: true)
            state.subscribers[id] = subscriber
            return .entries(entries)
        }
    }

    /// Suspends until the tail has something to take, the hub closes or the task is cancelled.
    func wait(_ id: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard !state.closed, var subscriber = state.subscribers[id] else { return true }
                    if subscriber.cancelled || subscriber.overflowed || !subscriber.buffer.isEmpty { return true }
                    subscriber.waiter = continuation
                    state.subscribers[id] = subscriber
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.subscribers[id]?.cancelled = true
                defer { state.subscribers[id]?.waiter = nil }
                return state.subscribers[id]?.waiter
            }
            waiter?.resume()
        }
    }

    /// Publishes durable entries and moves the head. Called by the syncer only.
    func publish(_ entries: [LogEntry], head: UInt64) {
        var waiters: [CheckedContinuation<Void, Never>] = []
        state.withLock { state in
            state.head = head
            guard !state.subscribers.isEmpty else { return }
            for entry in entries {
                for id in state.everything { deliver(entry, to: id, in: &state, waking: &waiters) }
                for position in entry.streams {
                    guard let ids = state.byStream[position.stream] else { continue }
                    for id in ids { deliver(entry, to: id, in: &state, waking: &waiters) }
                }
            }
        }
        waiters.forEach { $0.resume() }
    }

    private func deliver(
        _ entry: LogEntry, to id: Int, in state: inout State,
        waking waiters: inout [CheckedContinuation<Void, Never>]
    ) {
        guard var subscriber = state.subscribers.removeValue(forKey: id) else { return }
        if !subscriber.overflowed {
            if subscriber.buffer.count >= capacity {
                subscriber.overflowed = true
                subscriber.buffer = []
            } else {
                subscriber.buffer.append(entry)
            }
        }
        if let waiter = subscriber.waiter {
            waiters.append(waiter)
            subscriber.waiter = nil
        }
        state.subscribers[id] = subscriber
    }

    /// Ends every tail.
    func close() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = true
            var waiters: [CheckedContinuation<Void, Never>] = []
            for id in state.subscribers.keys {
                if let waiter = state.subscribers[id]?.waiter { waiters.append(waiter) }
                state.subscribers[id]?.waiter = nil
            }
            return waiters
        }
        waiters.forEach { $0.resume() }
    }
}
