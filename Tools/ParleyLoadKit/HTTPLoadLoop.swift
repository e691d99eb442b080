import NIOCore

/// What one connection's closed loop saw.
public struct LoopResult: Sendable {
    /// Latencies of the successful requests sent after the warm-up.
    public var latencies = Latencies()
    /// Successful requests sent after the warm-up.
    public var completed = 0
    /// Requests answered with anything but `expectedStatus`, or lost with their connection.
    public var errors = 0
    /// The first thing that went wrong, to report.
    public var firstError: String?
    /// When the last request timed here was answered.
    public var lastAnswer: NIODeadline?

    public mutating func merge(_ other: LoopResult) {
        latencies.merge(other.latencies)
        completed += other.completed
        errors += other.errors
        firstError = firstError ?? other.firstError
        if let answer = other.lastAnswer { lastAnswer = max(lastAnswer ?? answer, answer) }
    }
}

/// Sends requests on one connection back to back, the next as soon as the
/// previous is answered, until a deadline, recording each latency. It runs
/// entirely on the connection's event loop, so the client costs little next
/// to the server it measures.
final class HTTPLoadLoop {
    private let connection: HTTPConnection
    private let requests: [PreparedRequest]
    private let expectedStatus: Int
    private let measureFrom: NIODeadline
    private let until: NIODeadline
    private let limit: Int?
    private let done: EventLoopPromise<LoopResult>
    private var next = 0
    private var result = LoopResult()

    /// - Parameters:
    ///   - requests: Sent in turn, from the first again after the last.
    ///   - limit: Stop after this many requests, if the deadline has not come first.
    private init(
        connection: HTTPConnection, requests: [PreparedRequest], expectedStatus: Int, measureFrom: NIODeadline,
        until: NIODeadline, limit: Int?, done: EventLoopPromise<LoopResult>
    ) {
        self.connection = connection
        self.requests = requests
        self.expectedStatus = expectedStatus
        self.measureFrom = measureFrom
        self.until = until
        self.limit = limit
        self.done = done
    }

    /// Runs a loop on `connection` and returns what it saw once it stops.
    static func run(
        on connection: HTTPConnection, requests: [PreparedRequest], expectedStatus: Int = 200, measureFrom: NIODeadline,
        until: NIODeadline, limit: Int? = nil
    ) async throws -> LoopResult {
        let eventLoop = connection.eventLoop
        let done = eventLoop.makePromise(of: LoopResult.self)
        eventLoop.execute {
            HTTPLoadLoop(
                connection: connection, requests: requests, expectedStatus: expectedStatus, measureFrom: measureFrom,
                until: until, limit: limit, done: done
            ).step()
        }
        return try await done.futureResult.get()
    }

    private func step() {
        let sent = NIODeadline.now()
        if sent >= until || limit.map({ next >= $0 }) == true { return done.succeed(result) }
        let request = requests[next % requests.count]
        next += 1
        connection.send(request, keepBody: false) { answer in
            let answered = NIODeadline.now()
            switch answer {
            case .success(let response) where response.status == self.expectedStatus:
                guard sent >= self.measureFrom else { break }
                self.result.latencies.record(.nanoseconds((answered - sent).nanoseconds))
                self.result.completed += 1
                self.result.lastAnswer = answered
            case .success(let response):
                self.result.errors += 1
                self.result.firstError = self.result.firstError ?? "\(request.method) \(request.path) answered \(response.status)"
            case .failure(let error):
                self.result.errors += 1
                self.result.firstError = self.result.firstError ?? "\(request.method) \(request.path): \(error)"
                return self.done.succeed(self.result)
            }
            self.step()
        }
    }
}
