import ArgumentParser
import Foundation
import ParleyControl

/// `parleyctl replay`: report metrics for any range, computed from the log
/// rather than read from the analytics projection.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Computes report metrics of an account for any range straight from the log, without the projection.",
        discussion: """
            The metrics are those of /api/v2/accounts/{id}/reports (Schemas/reports.md), and the same numbers: \
            one row per metric, bucket and (with agent, inbox, team or label) group, empty buckets included. \
            Reads the directory as a RocksDB secondary, so it is safe while the server runs.
            """)

    @Option(help: "The data directory.") var data: String
    @Option(help: "The account's id.") var account: UInt64
    @Option(help: "Start of the range: seconds since 1970 or ISO 8601 (2026-03-01, 2026-03-01T12:00:00Z).") var from: String
    @Option(help: "End of the range (excluded), as --from.") var to: String
    @Option(help: "Metrics, comma-separated or repeated (default: all): \(ReplayQuery.metricNames).") var metric: [String] = []
    @Option(
        name: .customLong("group-by"),
        help: "A period (hour, day, week, month; range for one bucket) and/or one of agent, inbox, team, label; comma-separated or repeated (default: day).")
    var groupBy: [String] = []
    @Option(help: "Hours from UTC that periods are aligned to (-14 to 14).") var timezoneOffset: Double = 0
    @Option(help: "csv or json.") var format = "csv"
    @Option(help: "Write the rows to this file instead of standard output.") var out: String?
    @Flag(help: "End with one JSON summary line (events, events_per_s, rows, seconds, open_seconds).") var json = false

    func run() async throws {
        guard let format = ReplayFormat(rawValue: format) else { throw ControlError("--format must be csv or json") }
        let query = try ReplayQuery(
            account: account, from: from, to: to, metrics: metric, groupBy: groupBy, timezoneOffset: timezoneOffset)
        let result = try await ReportReplay.run(data: data, query: query)
        let rendered = format.render(result.rows, query: query)
        if let out {
            do {
                try Data(rendered.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw ControlError("cannot write \(out): \(error.localizedDescription)")
            }
        } else {
            print(rendered, terminator: "")
        }
        if json {
            let seconds = Self.seconds(result.duration)
            try printJSONLine(
                ReplaySummary(
                    account: account, events: result.events, eventsPerS: seconds > 0 ? (Double(result.events) / seconds).rounded() : 0,
                    openSeconds: Self.seconds(result.openDuration), rows: result.rows.count, seconds: seconds))
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `seconds` and `events_per_s` cover reading and folding the events;
    /// `open_seconds` opening the directory before.
    private struct ReplaySummary: Encodable {
        var account: UInt64
        var events: Int
        var eventsPerS: Double
        var openSeconds: Double
        var rows: Int
        var seconds: Double
    }
}
