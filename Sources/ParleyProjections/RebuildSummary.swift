import Foundation

/// A rebuild's outcome as `parleyctl rebuild` prints it and the admin
/// endpoint answers it (JSON, snake_case keys).
public struct RebuildSummary: Codable, Sendable, Equatable {
    /// One projection's digest live and as rebuilt from the log; all three
    /// are absent after an offline rebuild, which neither loads the live
    /// projection nor digests the rebuilt one.
    public struct Comparison: Codable, Sendable, Equatable {
        public var live: String?
        public var rebuilt: String?
        public var equal: Bool?
    }

    public var projections: [String: Comparison]
    /// The projections whose live state differed from the log's, by name;
    /// absent when the live projections were not loaded.
    public var differing: [String]?
    /// Log entries folded, including those written while the rebuild ran
    /// (ephemeral ones count: they are read and skipped).
    public var events: Int
    /// Of those, the ones written while the rebuild ran.
    public var caughtUp: Int
    /// `events` over `seconds`: folding and swapping.
    public var eventsPerS: Double
    public var seconds: Double
    /// After the swap: the digests (unless offline) and the fresh checkpoint (unless verifying).
    public var finishingSeconds: Double
    /// The last offset the rebuilt projections include.
    public var offset: UInt64
    /// True when the rebuilt projections replaced the live ones.
    public var swapped: Bool
    /// True when the running server did the work (through its admin channel).
    public var server: Bool

    public init(_ report: RebuildReport, server: Bool) {
        let seconds = Self.seconds(report.duration)
        var projections: [String: Comparison] = [:]
        for name in report.projections {
            let live = report.live.map { $0[name] ?? "" }, rebuilt = report.rebuilt.map { $0[name] ?? "" }
            let equal = live.flatMap { live in rebuilt.map { $0 == live } }
            projections[name.rawValue] = Comparison(live: live, rebuilt: rebuilt, equal: equal)
        }
        self.projections = projections
        self.differing = report.differing?.map(\.rawValue)
        self.events = report.events
        self.caughtUp = report.caughtUp
        self.eventsPerS = seconds > 0 ? (Double(report.events) / seconds).rounded() : 0
        self.seconds = seconds
        self.finishingSeconds = Self.seconds(report.finishing)
        self.offset = report.offset
        self.swapped = report.swapped
        self.server = server
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The summary as JSON with snake_case keys: the admin endpoint's answer
    /// and the `--json` line.
    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return Array(try encoder.encode(self))
    }

    /// Reads the admin endpoint's answer.
    public static func decode(_ json: Data) throws -> RebuildSummary {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Self.self, from: json)
    }
}
