import DequeModule
import Synchronization

/// A connection's text frames waiting to be handled, in the order they came.
///
/// A connection has no task of its own while it is idle: the first frame
/// queued starts one, which handles frames until none are left and ends.
/// So an idle connection holds no task memory, and commands still run one
/// at a time, in order. Reading from the socket pauses once
/// ``pauseThreshold`` frames wait (what one read brought in is still kept)
/// and resumes when fewer than half of that do, so a client that sends
/// faster than its commands are handled is held back by TCP rather than by
/// server memory.
final class InboundFrames: Sendable {
    /// What the handling task does next.
    enum Step: Equatable {
        /// Handle this frame; when `resume`, few enough wait that reading
        /// from the socket may go on (see ``isPaused``, which decides).
        case frame([UInt8], resume: Bool)
        /// The connection ended and every frame before the end was handled.
        case ended
        /// Nothing waits: the task ends; the next frame starts another.
        case idle
    }

    /// What the reader does after queueing a frame.
    struct Queued: Equatable {
        /// Start a task that takes ``next()`` until it answers ``Step/idle`` or ``Step/ended``.
        var start: Bool
        /// Stop reading from the socket until a step says to resume.
        var pause: Bool
    }

    private struct State {
        var frames: Deque<[UInt8]> = []
        var handling = false
        var paused = false
        var ended = false
        var endTaken = false
    }

    static let pauseThreshold = 16

    private let state = Mutex(State())

    /// Queues a frame read from the socket.
    func push(_ frame: [UInt8]) -> Queued {
        state.withLock { state in
            guard !state.ended else { return Queued(start: false, pause: false) }
            state.frames.append(frame)
            let pause = !state.paused && state.frames.count >= Self.pauseThreshold
            if pause { state.paused = true }
            return Queued(start: Self.claim(&state), pause: pause)
        }
    }

    /// Whether reading should stay paused; read on the event loop when
    /// applying a resume, so a pause decided after it is not undone.
    var isPaused: Bool { state.withLock { $0.paused } }

    /// Marks the end of the connection, after every frame queued so far;
    /// true when a task must be started to reach it.
    func end() -> Bool {
        state.withLock { state in
            guard !state.ended else { return false }
            state.ended = true
            return Self.claim(&state)
        }
    }

    /// The next step of the handling task.
    func next() -> Step {
        state.withLock { state in
            if let frame = state.frames.popFirst() {
                // A burst's capacity is not kept for the rest of the connection.
                if state.frames.isEmpty { state.frames = [] }
                let resume = state.paused && state.frames.count < Self.pauseThreshold / 2
                if resume { state.paused = false }
                return .frame(frame, resume: resume)
            }
            if state.ended, !state.endTaken {
                state.endTaken = true
                return .ended
            }
            state.handling = false
            return .idle
        }
    }

    private static func claim(_ state: inout State) -> Bool {
        defer { state.handling = true }
        return !state.handling
    }
}
