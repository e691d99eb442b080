import DequeModule

/// Entries after a position, first from storage and then live, in order,
/// with no gap and no duplicate at the hand-over.
///
/// Iteration ends (returns `nil`) when the task is cancelled or the log
/// closes; either frees the tail's registration. A tail on a stream reads the
/// stream's durable entries and also receives its ephemeral ones live; an
/// ephemeral entry that arrives while the tail has overflowed its buffer is
/// not re-read (it has no place in the stream), while a tail on the whole log
/// re-reads everything until pruning.
public struct LogTail: AsyncSequence, Sendable {
    public typealias Element = LogEntry

    let log: EventLog
    let filter: TailHub.Filter
    /// A global offset for a whole-log tail, a stream sequence for a stream tail.
    let after: UInt64

    public func makeAsyncIterator() -> Iterator {
        Iterator(cursor: TailCursor(log: log, filter: filter, after: after))
    }

    public struct Iterator: AsyncIteratorProtocol {
        let cursor: TailCursor

        public mutating func next() async throws -> LogEntry? {
            try await cursor.next()
        }
    }
}

/// The state of one tail: where it is, and whether it reads storage or its live buffer.
final class TailCursor {
    private static let pageSize = 256

    private let log: EventLog
    private let filter: TailHub.Filter
    private var registration: Int?
    private var lastOffset: UInt64
    private var lastSeq: UInt64
    /// While catching up, storage is read up to this offset; later entries come live.
    private var readUpTo: UInt64 = 0
    private var catchingUp = true
    private var pending: Deque<LogEntry> = []
    private var finished = false

    init(log: EventLog, filter: TailHub.Filter, after: UInt64) {
        self.log = log
        self.filter = filter
        switch filter {
        case .all:
            lastOffset = after
            lastSeq = 0
        case .stream:
            lastOffset = 0
            lastSeq = after
        }
    }

    deinit {
        if let registration { log.hub.unregister(registration) }
    }

    func next() async throws -> LogEntry? {
        while !finished {
            if Task.isCancelled {
                finish()
                break
            }
            if let entry = pending.popFirst() {
                advance(past: entry)
                return entry
            }
            guard let registration else {
                let (id, head) = log.hub.register(filter)
                registration = id
                readUpTo = head
                continue
            }
            if catchingUp {
                let page: [LogEntry]
                do {
                    page = try await storedPage()
                } catch LogError.closed {
                    finish()
                    break
                }
                if page.isEmpty { catchingUp = false } else { pending.append(contentsOf: page) }
                continue
            }
            switch log.hub.take(registration) {
            case .entries(let entries):
                pending.append(contentsOf: entries.lazy.filter(isAhead))
            case .overflowed:
                readUpTo = log.hub.reset(registration)
                catchingUp = true
            case .empty:
                await log.hub.wait(registration)
            case .closed:
                finish()
            }
        }
        return nil
    }

    /// The next stored entries after the position, none past `readUpTo`.
    private func storedPage() async throws -> [LogEntry] {
        let page: [LogEntry]
        switch filter {
        case .all:
            page = try await log.read(after: lastOffset, limit: Self.pageSize)
        case .stream(let stream):
            page = try await log.read(stream: stream, after: lastSeq, limit: Self.pageSize)
        }
        let limit = readUpTo
        return Array(page.prefix { $0.offset <= limit })
    }

    /// Whether a live entry comes after the position: by offset, and for a
    /// stream tail by sequence too (a tail may start past the stream's head).
    private func isAhead(_ entry: LogEntry) -> Bool {
        guard entry.offset > lastOffset else { return false }
        if case .stream(let stream) = filter, let seq = entry.seq(in: stream) {
            return seq > lastSeq
        }
        return true
    }

    private func advance(past entry: LogEntry) {
        lastOffset = entry.offset
        if case .stream(let stream) = filter, let seq = entry.seq(in: stream) {
            lastSeq = seq
        }
    }

    private func finish() {
        finished = true
        pending.removeAll()
        if let registration {
            log.hub.unregister(registration)
            self.registration = nil
        }
    }
}
