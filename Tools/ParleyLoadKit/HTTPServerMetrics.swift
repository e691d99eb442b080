/// The log's group commits as the server's `/metrics` reports them, to say
/// where a request's time goes: how many fsyncs, how long each took, and how
/// many entries each made durable.
public struct HTTPServerMetrics: Sendable {
    public var fsyncs: Double
    public var fsyncSeconds: Double
    public var groupedEntries: Double

    /// Reads the fsync and group-size histograms' counts and sums from a Prometheus text page.
    public init(prometheus text: String) {
        var values: [Substring: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[parts[0]] = value }
        }
        fsyncs = values["parley_log_fsync_seconds_count"] ?? 0
        fsyncSeconds = values["parley_log_fsync_seconds_sum"] ?? 0
        groupedEntries = values["parley_log_group_entries_sum"] ?? 0
    }

    /// Scrapes `/metrics` over `connection`.
    public static func scrape(_ connection: HTTPConnection, host: String) async throws -> HTTPServerMetrics {
        let page = try await connection.request(PreparedRequest(method: .GET, path: "/metrics", host: host, token: nil, body: nil))
        return HTTPServerMetrics(prometheus: String(decoding: page.body, as: UTF8.self))
    }

    /// What happened between `earlier` and this scrape.
    public func since(_ earlier: HTTPServerMetrics) -> (fsyncs: Int, meanFsyncMilliseconds: Double?, entriesPerFsync: Double?) {
        let fsyncs = self.fsyncs - earlier.fsyncs
        guard fsyncs > 0 else { return (0, nil, nil) }
        return (
            Int(fsyncs), ((fsyncSeconds - earlier.fsyncSeconds) / fsyncs * 1000).roundedTo(3),
            ((groupedEntries - earlier.groupedEntries) / fsyncs).roundedTo(1)
        )
    }
}
