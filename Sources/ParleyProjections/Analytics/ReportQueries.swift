import Foundation

/// One bucket of a time series.
public struct ReportPoint: Sendable, Hashable {
    /// Start of the bucket, seconds since 1970 (UTC); 0 for a bucket that began before.
    public var timestamp: UInt64
    public var value: Double
    /// Facts in the bucket (the divisor of an average).
    public var count: Int

    public init(timestamp: UInt64, value: Double, count: Int) {
        self.timestamp = timestamp
        self.value = value
        self.count = count
    }
}

/// A report request that cannot be answered whole.
public enum ReportError: Error, Hashable {
    /// The range holds more buckets than ``AnalyticsProjection/maxBuckets``: ask for a coarser grouping.
    case tooManyBuckets(limit: Int)
    /// The timezone offset is outside -14...14 hours.
    case invalidTimezoneOffset

    public var code: String {
        switch self {
        case .tooManyBuckets: "too_many_buckets"
        case .invalidTimezoneOffset: "invalid_timezone_offset"
        }
    }
}

/// A metric over a range with the same range before it, as Chatwoot's summary shows.
public struct ReportSummaryValue: Sendable, Hashable {
    public var current: Double
    public var previous: Double

    public init(current: Double, previous: Double) {
        self.current = current
        self.previous = previous
    }
}

extension AnalyticsProjection {
    /// Sum for counts, mean for times and ratings; 0 when nothing happened.
    static func aggregate(_ facts: [ReportFact], metric: ReportMetric) -> Double {
        guard !facts.isEmpty else { return 0 }
        let total = facts.reduce(0) { $0 + $1.value }
        return metric.isCount ? total : total / Double(facts.count)
    }

    /// The latest time a report reaches: the end of year 9999.
    public static let latestTime: UInt64 = 253_402_300_799
    /// The most buckets one series returns.
    public static let maxBuckets = 100_000

    /// `metric` for `scope` in buckets of `grouping`, aligned to local time at
    /// `timezoneOffset` hours from UTC (-14...14; weeks start on Monday); every
    /// bucket that overlaps `[since, until)` appears, also empty ones. Times
    /// past ``latestTime`` are cut off; a range of more than ``maxBuckets``
    /// buckets is refused rather than answered in part.
    public func timeseries(
        account: UInt64, metric: ReportMetric, scope: ReportScope, since: UInt64, until: UInt64,
        grouping: ReportGrouping, timezoneOffset: Double = 0
    ) throws(ReportError) -> [ReportPoint] {
        guard timezoneOffset.isFinite, abs(timezoneOffset) <= 14 else { throw .invalidTimezoneOffset }
        let until = min(until, Self.latestTime)
        guard since < until else { return [] }
        let offset = Int64((timezoneOffset * 3600).rounded())
        let selected = facts(account: account, metric: metric, scope: scope, since: since, until: until)
        var buckets: [Int64: [ReportFact]] = [:]
        for fact in selected { buckets[Self.bucket(fact.time, grouping, offset), default: []].append(fact) }
        var points: [ReportPoint] = []
        // Bucket starts stay signed: the first may begin before 1970.
        var start = Self.bucket(since, grouping, offset)
        while start < Int64(until) {
            guard points.count < Self.maxBuckets else { throw .tooManyBuckets(limit: Self.maxBuckets) }
            let inside = buckets[start] ?? []
            points.append(
                ReportPoint(timestamp: UInt64(max(0, start)), value: Self.aggregate(inside, metric: metric), count: inside.count))
            start = Self.next(start, grouping, offset)
        }
        return points
    }

    /// Every metric over `[since, until)` and over the same length before it.
    public func summary(account: UInt64, scope: ReportScope, since: UInt64, until: UInt64) -> [ReportMetric: ReportSummaryValue] {
        let length = until > since ? until - since : 0
        let previousSince = since > length ? since - length : 0
        var result: [ReportMetric: ReportSummaryValue] = [:]
        for metric in ReportMetric.allCases {
            result[metric] = ReportSummaryValue(
                current: Self.aggregate(facts(account: account, metric: metric, scope: scope, since: since, until: until), metric: metric),
                previous: Self.aggregate(
                    facts(account: account, metric: metric, scope: scope, since: previousSince, until: since), metric: metric))
        }
        return result
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The start (UTC seconds) of the bucket holding `time`, in local time at `offset` seconds.
    static func bucket(_ time: UInt64, _ grouping: ReportGrouping, _ offset: Int64) -> Int64 {
        let local = Int64(min(time, latestTime)) + offset
        let start: Int64
        switch grouping {
        case .hour:
            start = local - local.modulo(3600)
        case .day:
            start = local - local.modulo(86_400)
        case .week:
            // 1970-01-01 was a Thursday: Mondays are 4 days later in the cycle.
            let day = local - local.modulo(86_400)
            start = day - (day / 86_400 + 3).modulo(7) * 86_400
        case .month:
            let components = utc.dateComponents([.year, .month], from: Date(timeIntervalSince1970: TimeInterval(local)))
            start = Int64(utc.date(from: components)!.timeIntervalSince1970)
        }
        return start - offset
    }

    static func next(_ start: Int64, _ grouping: ReportGrouping, _ offset: Int64) -> Int64 {
        switch grouping {
        case .hour: return start + 3600
        case .day: return start + 86_400
        case .week: return start + 7 * 86_400
        case .month:
            let local = Date(timeIntervalSince1970: TimeInterval(start + offset))
            let following = utc.date(byAdding: .month, value: 1, to: local)!
            return Int64(following.timeIntervalSince1970) - offset
        }
    }
}

extension Int64 {
    /// The remainder that is never negative.
    func modulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
