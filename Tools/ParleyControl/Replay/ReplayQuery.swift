import ParleyProjections

/// What `parleyctl replay` computes: report metrics of one account over
/// `[since, until)`, in buckets of a period and, optionally, per agent,
/// inbox, team or label, with the definitions of `Schemas/reports.md`.
public struct ReplayQuery: Sendable, Hashable {
    /// What facts can be grouped by besides time.
    public enum Dimension: String, Sendable, Hashable, CaseIterable {
        case agent, inbox, team, label

        /// The column naming a row's member of the dimension.
        var column: String { self == .label ? "label" : "\(rawValue)_id" }
    }

    public var account: UInt64
    /// Seconds since 1970; facts at or after `since` and before `until` count.
    public var since: UInt64
    public var until: UInt64
    public var metrics: [ReportMetric]
    /// Buckets of this period, as the reports API has them; nil for the
    /// whole range as one bucket.
    public var period: ReportGrouping?
    public var dimension: Dimension?
    /// Hours from UTC (-14...14) that periods are aligned to.
    public var timezoneOffset: Double

    public init(
        account: UInt64, since: UInt64, until: UInt64, metrics: [ReportMetric], period: ReportGrouping?,
        dimension: Dimension?, timezoneOffset: Double = 0
    ) {
        self.account = account
        self.since = since
        self.until = until
        self.metrics = metrics
        self.period = period
        self.dimension = dimension
        self.timezoneOffset = timezoneOffset
    }

    /// The buckets' starts (UTC seconds, possibly before `since` or 1970),
    /// every one that overlaps the range, as the reports API lists them.
    func bucketStarts() throws -> [Int64] {
        let until = min(until, AnalyticsProjection.latestTime)
        guard since < until else { return [] }
        guard let period else { return [Int64(since)] }
        var starts: [Int64] = []
        var start = period.bucketStart(of: since, timezoneOffset: timezoneOffset)
        while start < Int64(until) {
            guard starts.count < AnalyticsProjection.maxBuckets else {
                throw ControlError("the range holds more than \(AnalyticsProjection.maxBuckets) \(period.rawValue)s; group by a longer period or shorten it")
            }
            starts.append(start)
            start = period.bucketStart(after: start, timezoneOffset: timezoneOffset)
        }
        return starts
    }
}
