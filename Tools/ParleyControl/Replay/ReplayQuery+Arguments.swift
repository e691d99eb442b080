import Foundation
import ParleyProjections

/// `parleyctl replay`'s arguments read into a query; each mistake is a
/// one-line ``ControlError`` naming it.
extension ReplayQuery {
    /// - Parameters:
    ///   - from, to: Seconds since 1970, or ISO 8601 (`2026-03-01`, `2026-03-01T12:00:00Z`, `…+02:00`).
    ///   - metrics: Names, comma-separated or repeated; `all` or none for every metric.
    ///   - groupBy: At most one period (`hour`, `day`, `week`, `month`, or
    ///     `range` for the whole range as one bucket) and at most one of
    ///     `agent`, `inbox`, `team`, `label`; the period defaults to `day`.
    public init(
        account: UInt64, from: String, to: String, metrics: [String], groupBy: [String], timezoneOffset: Double
    ) throws {
        guard account > 0 else { throw ControlError("--account must be a positive account id") }
        let since = try Self.time(from, option: "--from")
        let until = try Self.time(to, option: "--to")
        guard since < until else { throw ControlError("--from must be before --to") }
        guard timezoneOffset.isFinite, abs(timezoneOffset) <= 14 else {
            throw ControlError("--timezone-offset must be hours from UTC, from -14 to 14")
        }
        var chosen: [ReportMetric] = []
        for name in Self.items(metrics) {
            if name == "all" {
                chosen += ReportMetric.allCases
            } else if let metric = ReportMetric(rawValue: name) {
                chosen.append(metric)
            } else {
                throw ControlError("unknown metric \"\(name)\"; choose from all, \(ReportMetric.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var seen = Set<ReportMetric>()
        chosen = chosen.filter { seen.insert($0).inserted }
        var period: ReportGrouping? = .day
        var periodGiven = false
        var dimension: Dimension?
        for name in Self.items(groupBy) {
            if name == "range" || ReportGrouping(rawValue: name) != nil {
                guard !periodGiven else { throw ControlError("--group-by takes one period (hour, day, week, month or range)") }
                periodGiven = true
                period = ReportGrouping(rawValue: name)
            } else if let member = Dimension(rawValue: name) {
                guard dimension == nil else { throw ControlError("--group-by takes one of agent, inbox, team, label") }
                dimension = member
            } else {
                throw ControlError("unknown --group-by \"\(name)\"; choose from hour, day, week, month, range, agent, inbox, team, label")
            }
        }
        self.init(
            account: account, since: since, until: until, metrics: chosen.isEmpty ? ReportMetric.allCases : chosen,
            period: period, dimension: dimension, timezoneOffset: timezoneOffset)
        _ = try bucketStarts()
    }

    /// Comma-separated and repeated values, trimmed, empty ones dropped.
    private static func items(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Seconds since 1970 from digits or an ISO 8601 date or date and time (UTC unless it names an offset).
    static func time(_ text: String, option: String) throws -> UInt64 {
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            guard let seconds = UInt64(text), seconds <= AnalyticsProjection.latestTime else {
                throw ControlError("\(option) \(text) is past the year 9999")
            }
            return seconds
        }
        let formats: [ISO8601DateFormatter.Options] = [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate],
        ]
        for options in formats {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            formatter.timeZone = TimeZone(identifier: "UTC")
            if let date = formatter.date(from: text), date.timeIntervalSince1970 >= 0 {
                return UInt64(date.timeIntervalSince1970)
            }
        }
        throw ControlError("\(option) \"\(text)\" is neither seconds since 1970 nor an ISO 8601 date (2026-03-01) or time (2026-03-01T12:00:00Z)")
    }
}

extension ReplayQuery {
    /// Every metric's name, for help texts.
    public static var metricNames: String { ReportMetric.allCases.map(\.rawValue).joined(separator: ", ") }
}
