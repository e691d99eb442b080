import ParleyLog

/// Durable appends from concurrent appenders, each waiting for its acknowledgement
/// before sending the next, as chat clients do.
///
/// A lone appender runs on the log's ``EventLog/writerExecutor``, as a
/// sequential appender should, unless `onPool` asks for Swift's pool (where
/// the server's request handlers append from).
public struct AppendBenchmark: Sendable {
    public struct Report: Codable, Sendable {
        public var appenders: Int
        /// Where the appenders ran: `writer` (the log's thread) or `pool`.
        public var executor: String
        public var events: Int
        public var eventsPerSecond: Double
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        /// Mean entries made durable by one fsync.
        public var meanEntriesPerSync: Double
        /// Mean time of one WAL fsync (of a lone append's synced write).
        public var meanSyncMilliseconds: Double

        enum CodingKeys: String, CodingKey {
            case appenders, executor, events
            case eventsPerSecond = "events_per_s"
            case p50Milliseconds = "p50_ms"
            case p99Milliseconds = "p99_ms"
            case meanEntriesPerSync = "entries_per_fsync"
            case meanSyncMilliseconds = "fsync_ms"
        }
    }

    public var appenders: Int
    public var events: Int
    public var payloadBytes: Int
    public var streams: Int
    public var onPool: Bool

    public init(appenders: Int, events: Int, payloadBytes: Int, streams: Int, onPool: Bool = false) {
        self.appenders = appenders
        self.events = events
        self.payloadBytes = payloadBytes
        self.streams = streams
        self.onPool = onPool
    }

    /// Whether the appenders run on the log's writer thread.
    var onWriter: Bool { appenders == 1 && !onPool }

    /// The streams of the `index`th message: its conversation, the account, its contact, then inboxes.
    static func streams(for index: Int, count: Int) -> [String] {
        (0..<max(0, min(count, 5))).map { position in
            switch position {
            case 0: "conversation:1:\(index % 2000)"
            case 1: "account:1"
            case 2: "contact:1:\(index % 5000)"
            case 3: "inbox:1:\(index % 10)"
            default: "user:\(index % 50)"
            }
        }
    }

    public func run(on log: EventLog) async throws -> Report {
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: payloadBytes)
        let perAppender = events / appenders
        let clock = ContinuousClock()
        let started = clock.now
        let latencies = try await withThrowingTaskGroup(of: Latencies.self) { group in
            for appender in 0..<appenders {
                group.addTask(executorPreference: onWriter ? log.writerExecutor : nil) {
                    var latencies = Latencies()
                    for n in 0..<perAppender {
                        let index = appender * perAppender + n
                        let entry = NewEntry(
                            type: "message.created", accountID: 1,
                            streams: Self.streams(for: index, count: streams), payload: payload)
                        let sent = clock.now
                        _ = try await log.append([entry])
                        latencies.record(clock.now - sent)
                    }
                    return latencies
                }
            }
            var all = Latencies()
            for try await latencies in group { all.merge(latencies) }
            return all
        }
        let elapsed = clock.now - started
        let total = perAppender * appenders
        let statistics = log.statistics
        return Report(
            appenders: appenders, executor: onWriter ? "writer" : "pool", events: total,
            eventsPerSecond: (Double(total) / elapsed.seconds).rounded(),
            p50Milliseconds: latencies.percentileMilliseconds(0.50),
            p99Milliseconds: latencies.percentileMilliseconds(0.99),
            meanEntriesPerSync: (statistics.meanEntriesPerSync * 10).rounded() / 10,
            meanSyncMilliseconds: (statistics.meanSyncMilliseconds * 1000).rounded() / 1000)
    }
}
