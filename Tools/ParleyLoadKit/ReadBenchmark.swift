import ParleyLog

/// Reading one stream from its start, page by page, as a client catching up does.
public struct ReadBenchmark: Sendable {
    public struct Report: Codable, Sendable {
        public var events: Int
        public var pageSize: Int
        public var eventsPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case events
            case pageSize = "page_size"
            case eventsPerSecond = "events_per_s"
        }
    }

    public static let stream = "conversation:1:1"

    public var events: Int
    public var pageSize: Int

    public init(events: Int, pageSize: Int) {
        self.events = events
        self.pageSize = pageSize
    }

    /// Appends `events` 200-byte messages to ``stream`` in large batches (untimed).
    public func fill(_ log: EventLog) async throws {
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: 200)
        var written = 0
        while written < events {
            let count = min(1000, events - written)
            let entries = (0..<count).map { _ in
                NewEntry(type: "message.created", accountID: 1, streams: [Self.stream, "account:1"], payload: payload)
            }
            _ = try await log.append(entries)
            written += count
        }
    }

    public func run(on log: EventLog) async throws -> Report {
        let clock = ContinuousClock()
        let started = clock.now
        var seq: UInt64 = 0
        var read = 0
        while read < events {
            let page = try await log.read(stream: Self.stream, after: seq, limit: pageSize)
            guard let last = page.last else { break }
            read += page.count
            seq = last.seq(in: Self.stream) ?? seq
        }
        let elapsed = clock.now - started
        return Report(events: read, pageSize: pageSize, eventsPerSecond: (Double(read) / elapsed.seconds).rounded())
    }
}
