import ParleyProjections

// Chatwoot's report JSON (`/api/v2/accounts/{id}/reports`): counts as
// integers, times (seconds) and ratings as numbers that may have a fraction.

extension JSONOut {
    /// One bucket: its local start as UTC seconds, the value, and the number
    /// of facts in it (the divisor of an average).
    static func reportPoint(_ point: ReportPoint, metric: ReportMetric) -> JSONOut {
        ["value": reportValue(point.value, metric: metric), "timestamp": .uint(point.timestamp), "count": .int(Int64(point.count))]
    }

    static func reportValue(_ value: Double, metric: ReportMetric) -> JSONOut {
        metric.isCount ? .int(Int64(value.rounded())) : .double(value)
    }

    /// The metrics of Chatwoot's summary, in its order.
    static let summaryMetrics: [ReportMetric] = [
        .conversationsCount, .incomingMessagesCount, .outgoingMessagesCount, .avgFirstResponseTime, .avgResolutionTime,
        .resolutionsCount, .replyTime,
    ]

    /// Chatwoot's summary: each metric over the range, and `previous` with
    /// the same metrics over the range just before.
    static func reportSummary(_ summary: [ReportMetric: ReportSummaryValue]) -> JSONOut {
        func values(_ pick: (ReportSummaryValue) -> Double) -> [(String, JSONOut)] {
            summaryMetrics.map { metric in (metric.rawValue, reportValue(summary[metric].map(pick) ?? 0, metric: metric)) }
        }
        return .object(values(\.current) + [("previous", .object(values(\.previous)))])
    }
}
