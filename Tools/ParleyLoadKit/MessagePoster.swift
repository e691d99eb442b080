import NIOCore

/// Posts chat messages over keep-alive HTTP connections, at a fixed rate or
/// as fast as the connections allow, and records when each was acknowledged
/// (the 200 comes after the fsync) and the message id it got. The schedule
/// does not wait for answers: a message due while every connection is busy
/// waits for the first free one. Everything runs on the connections' one
/// event loop.
final class MessagePoster {
    struct Acknowledgement: Sendable {
        var messageID: UInt64
        /// Index into the conversations the messages were spread over.
        var conversation: Int
        var at: NIODeadline
    }

    struct Result: Sendable {
        var acknowledgements: [Acknowledgement] = []
        var errors = 0
        var firstError: String?
        var started = NIODeadline.now()
        var finished = NIODeadline.now()
    }

    private let connections: [HTTPConnection]
    /// One request per conversation; message n goes to conversation n % count.
    private let requests: [PreparedRequest]
    private let total: Int
    private let interval: TimeAmount?
    private let done: EventLoopPromise<Result>
    private var idle: [Int]
    private var waiting: [Int] = []
    private var nextWaiting = 0
    private var issued = 0
    private var answered = 0
    private var inFlight = 0
    private var finished = false
    private var lastAnswer = NIODeadline.now()
    /// How long requests may go unanswered before the rest count as errors.
    static let patience = TimeAmount.seconds(30)
    private var result = Result()

    private init(
        connections: [HTTPConnection], requests: [PreparedRequest], total: Int, interval: TimeAmount?, done: EventLoopPromise<Result>
    ) {
        self.connections = connections
        self.requests = requests
        self.total = total
        self.interval = interval
        self.done = done
        idle = Array(connections.indices.reversed())
    }

    /// Posts `total` messages, message n to `requests[n % requests.count]`,
    /// `perSecond` a second (nil: all at once, as the connections allow).
    /// The connections must share one event loop.
    static func run(
        on connections: [HTTPConnection], requests: [PreparedRequest], total: Int, perSecond: Int?
    ) async throws -> Result {
        let eventLoop = connections[0].eventLoop
        precondition(connections.allSatisfy { $0.eventLoop === eventLoop }, "the poster's connections share one event loop")
        let done = eventLoop.makePromise(of: Result.self)
        let interval = perSecond.map { TimeAmount.nanoseconds(1_000_000_000 / Int64($0)) }
        eventLoop.execute {
            let poster = MessagePoster(connections: connections, requests: requests, total: total, interval: interval, done: done)
            poster.result.started = .now()
            poster.lastAnswer = poster.result.started
            poster.release()
            poster.watch()
        }
        return try await done.futureResult.get()
    }

    /// Queues the messages now due, sends what the idle connections can
    /// take, and schedules the next release.
    private func release() {
        let due: Int
        if let interval {
            let elapsed = NIODeadline.now() - result.started
            due = min(total, Int(elapsed.nanoseconds / interval.nanoseconds) + 1)
        } else {
            due = total
        }
        while issued < due {
            waiting.append(issued % requests.count)
            issued += 1
        }
        dispatch()
        if let interval, issued < total {
            connections[0].eventLoop.assumeIsolated().scheduleTask(deadline: result.started + interval * Int64(issued)) {
                self.release()
            }
        }
    }

    /// Gives up on a server that stopped answering: every message not yet
    /// answered is an error.
    private func watch() {
        guard !finished else { return }
        if inFlight > 0, NIODeadline.now() - lastAnswer > Self.patience {
            return fail(total - answered, "no answer within \(Self.patience.nanoseconds / 1_000_000_000) s")
        }
        connections[0].eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { self.watch() }
    }

    private func dispatch() {
        while nextWaiting < waiting.count, let connection = idle.popLast() {
            let conversation = waiting[nextWaiting]
            nextWaiting += 1
            send(conversation, on: connection)
        }
        if nextWaiting == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            nextWaiting = 0
        }
        if idle.isEmpty, inFlight == 0, nextWaiting < waiting.count {
            // Every connection was lost: what is left fails.
            fail(total - answered, "no connection left")
        }
        finishIfDone()
    }

    private func send(_ conversation: Int, on connection: Int) {
        let request = requests[conversation]
        inFlight += 1
        connections[connection].send(request, keepBody: true) { answer in
            guard !self.finished else { return }
            let at = NIODeadline.now()
            self.lastAnswer = at
            self.answered += 1
            self.inFlight -= 1
            switch answer {
            case .success(let response) where response.status == 200:
                if let id = Self.messageID(response.body) {
                    self.result.acknowledgements.append(Acknowledgement(messageID: id, conversation: conversation, at: at))
                } else {
                    self.error("\(request.path) answered 200 without a message id")
                }
                self.idle.append(connection)
            case .success(let response):
                self.error("\(request.path) answered \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
                self.idle.append(connection)
            case .failure(let error):
                self.error("\(request.path): \(error)")
            }
            self.dispatch()
        }
    }

    private func error(_ text: String) {
        result.errors += 1
        result.firstError = result.firstError ?? text
    }

    private func fail(_ count: Int, _ text: String) {
        for _ in 0..<count { error(text) }
        answered = total
        issued = total
        waiting.removeAll()
        nextWaiting = 0
        finishIfDone()
    }

    private func finishIfDone() {
        guard !finished, issued == total, answered == total else { return }
        finished = true
        result.finished = .now()
        done.succeed(result)
    }

    /// The top-level `id` of a message's JSON.
    static func messageID(_ body: [UInt8]) -> UInt64? {
        body.withUnsafeBytes { bytes in
            let scan = JSONScan(bytes)
            return scan.member("id", of: 0..<bytes.count).flatMap(scan.unsigned)
        }
    }
}
