/// Latency samples in nanoseconds and their percentiles.
public struct Latencies: Sendable {
    private var samples: [Int64] = []

    public init() {}

    public mutating func record(_ duration: Duration) {
        samples.append(duration.nanoseconds)
    }

    public mutating func merge(_ other: Latencies) {
        samples.append(contentsOf: other.samples)
    }

    /// The `fraction` percentile in milliseconds (nearest rank), 0 with no samples.
    public func percentileMilliseconds(_ fraction: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let rank = min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))
        return Double(sorted[rank]) / 1_000_000
    }
}
