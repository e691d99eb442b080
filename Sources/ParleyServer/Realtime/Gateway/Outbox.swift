import DequeModule
import Synchronization

/// A connection's bounded queue of frames to write.
///
/// Fan-out only enqueues here and never waits. The first frame (or the
/// close) queued after the writer last found the queue empty calls `ready`
/// once; the writer then takes until ``take()`` answers nil. A queue that
/// fills up closes with ``Disconnect/slow`` rather than growing or dropping
/// a frame, and the client recovers what it missed from the log when it
/// reconnects.
final class Outbox: Sendable {
    private struct State {
        var frames: Deque<[UInt8]> = []
        var closing: Disconnect?
        var finished = false
        /// Whether `ready` was called and the writer has not found the queue empty since.
        var signalled = false
    }

    /// What the writer takes next.
    enum Next: Equatable {
        case frames([[UInt8]])
        /// Write nothing more; close with this code (or just stop when nil).
        case close(Disconnect?)
    }

    private let state = Mutex(State())
    private let limit: Int
    private let ready: @Sendable () -> Void

    /// - Parameters:
    ///   - limit: The most frames queued before the connection is closed as slow.
    ///   - ready: Called (on the pushing thread, outside the queue's lock)
    ///     when there is something to take and the writer was idle.
    init(limit: Int, ready: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.ready = ready
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
        let (accepted, wake) = state.withLock { state -> (Bool, Bool) in
            guard state.closing == nil, !state.finished else { return (false, false) }
            add(&state.frames)
            if state.frames.count > limit {
                state.frames.removeAll()
                state.closing = .slow
            }
            return (state.closing == nil, Self.signal(&state))
        }
        if wake { ready() }
        return accepted
    }

    /// Asks the writer to close the connection with `reason` once the frames
    /// already queued are written. The first reason wins.
    func close(_ reason: Disconnect) {
        let wake = state.withLock { state -> Bool in
            if state.closing == nil { state.closing = reason }
            return Self.signal(&state)
        }
        if wake { ready() }
    }

    /// Ends the writer without a close frame (the client went away).
    func finish() {
        let wake = state.withLock { state -> Bool in
            state.finished = true
            state.frames.removeAll()
            return Self.signal(&state)
        }
        if wake { ready() }
    }

    private static func signal(_ state: inout State) -> Bool {
        defer { state.signalled = true }
        return !state.signalled
    }

    var isClosing: Bool { state.withLock { $0.closing != nil || $0.finished } }

    /// Everything queued, or the close; nil when there is nothing, after
    /// which the next push calls `ready` again.
    func take() -> Next? {
        state.withLock { state in
            if state.finished { return .close(nil) }
            if !state.frames.isEmpty {
                let frames = Array(state.frames)
                state.frames.removeAll(keepingCapacity: false)
                return .frames(frames)
            }
            if let closing = state.closing { return .close(closing) }
            state.signalled = false
            return nil
        }
    }
}
