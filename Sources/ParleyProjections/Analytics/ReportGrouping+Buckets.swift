extension ReportGrouping {
    /// The start (UTC seconds, possibly before 1970) of the bucket holding
    /// `time`, in local time `timezoneOffset` hours from UTC: the buckets of
    /// ``AnalyticsProjection/timeseries(account:metric:scope:since:until:grouping:timezoneOffset:)``,
    /// for tools that compute reports elsewhere.
    public func bucketStart(of time: UInt64, timezoneOffset: Double) -> Int64 {
        AnalyticsProjection.bucket(time, self, Self.seconds(timezoneOffset))
    }

    /// The start of the bucket after the one starting at `start`.
    public func bucketStart(after start: Int64, timezoneOffset: Double) -> Int64 {
        AnalyticsProjection.next(start, self, Self.seconds(timezoneOffset))
    }

    private static func seconds(_ hours: Double) -> Int64 {
        Int64((hours * 3600).rounded())
    }
}
