import DequeModule
import Synchronization

/// A connection's bounded queue of frames to write.
///
/// Fan-out only enqueues here and never waits: one writer task per
/// connection drains it. A queue that fills up closes with ``Disconnect/slow``
/// rather than growing or dropping a frame, and the client recovers what it
/// missed from the log when it reconnects.
final class Outbox: Sendable {
    private struct State {
        var frames: Deque<[UInt8]> = []
        var closing: Disconnect?
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    /// What the writer takes next.
    enum Next {
        case frames([[UInt8]])
        /// Write nothing more; close with this code (or just stop when nil).
        case close(Disconnect?)
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Queues `frame`; false when the connection is closing. A full queue
    /// turns into a slow-client disconnect.
    @discardableResult
    func push(_ frame: [UInt8]) -> Bool {
        push { frames in frames.append(frame) }
    }

    /// Queues several frames at once, in order, or none of them.
    @discardableResult
    func push(contentsOf frames: [[UInt8]]) -> Bool {
        push { queue in queue.append(contentsOf: frames) }
    }

    private func push(_ add: (inout Deque<[UInt8]>) -> Void) -> Bool {
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard state.closing == nil, !state.finished else { return (false, nil) }
            add(&state.frames)
            if state.frames.count > limit {
                state.frames.removeAll()
                state.closing = .slow
            }
            defer { state.waiter = nil }
            return (state.closing == nil, state.waiter)
        }
        waiter?.resume()
        return accepted
    }

    /// Asks the writer to close the connection with `reason` once the frames
    /// already queued are written. The first reason wins.
    func close(_ reason: Disconnect) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.closing == nil { state.closing = reason }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Ends the writer without a close frame (the client went away).
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            state.frames.removeAll()
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    var isClosing: Bool { state.withLock { $0.closing != nil || $0.finished } }

    /// Why the connection is closing, if the server is closing it.
    var closingReason: Disconnect? { state.withLock { $0.closing } }

    /// Everything queued, or the close, waiting while there is nothing.
    func next() async -> Next {
        while true {
            let next: Next? = state.withLock { state in
                if state.finished { return .close(nil) }
                if !state.frames.isEmpty {
                    let frames = Array(state.frames)
                    state.frames.removeAll(keepingCapacity: false)
                    return .frames(frames)
                }
                if let closing = state.closing { return .close(closing) }
                return nil
            }
            if let next { return next }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.finished || state.closing != nil || !state.frames.isEmpty { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }
}
