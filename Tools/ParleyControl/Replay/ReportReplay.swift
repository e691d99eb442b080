import Foundation
import ParleyDomain
import ParleyLog

/// `parleyctl replay`: report metrics for any range computed straight from
/// the log, without the analytics projection. It reads the log through a
/// ``LogReader`` (a read-only secondary, safe while a server runs) from its
/// start, since facts depend on what came before the range (when a
/// conversation opened, what is waiting), and stops at the first event at or
/// after the range's end: the log's times never decrease. It scans the log
/// in offset order rather than the account's stream: a sequential scan
/// costs a fraction of the stream's lookup per event, more than making up
/// for other accounts' events, which are skipped by their entry header.
public enum ReportReplay {
    public struct Result: Sendable {
        public var rows: [ReplayRow]
        /// Events read from the log.
        public var events: Int
        /// Reading and folding them.
        public var duration: Duration
        /// Opening the directory before (a secondary replays the log's unflushed WAL).
        public var openDuration: Duration
    }

    static let pageSize = 4096

    public static func run(data: String, query: ReplayQuery, progress: Bool = true) async throws -> Result {
        let buckets = try query.bucketStarts()
        let opening = ContinuousClock.now
        let reader = try await LogReader.open(at: data)
        do {
            var result = try await replay(reader, query: query, buckets: buckets, progress: progress, started: .now)
            result.openDuration = ContinuousClock.now - opening - result.duration
            await reader.close()
            return result
        } catch {
            await reader.close()
            throw error
        }
    }

    private static func replay(
        _ reader: LogReader, query: ReplayQuery, buckets: [Int64], progress: Bool, started: ContinuousClock.Instant
    ) async throws -> Result {
        guard try await reader.head(of: StreamNames.account(query.account)) > 0 else {
            throw ControlError("account \(query.account) has no events in \(reader.path)")
        }
        let reporter = ProgressReporter(label: "replay", total: reader.head, enabled: progress && isatty(STDERR_FILENO) != 0)
        var fold = ReportFold(query)
        var events = 0
        // The next page is read on the reader's thread while this one is folded.
        var next = Task { try await reader.read(after: 0, limit: pageSize) }
        reading: while true {
            let page = try await next.value
            guard let last = page.last else { break }
            let more = page.count == pageSize && last.timestamp / 1000 < query.until
            if more { next = Task { try await reader.read(after: last.offset, limit: pageSize) } }
            for entry in page {
                let time = entry.timestamp / 1000
                if time >= query.until { break reading }
                events += 1
                guard entry.accountID == query.account, let event = try ReportEvent.read(entry) else { continue }
                fold.apply(event, at: time)
            }
            reporter.advance(to: last.offset)
            if !more { break }
        }
        reporter.finish()
        return Result(rows: fold.rows(buckets: buckets), events: events, duration: ContinuousClock.now - started, openDuration: .zero)
    }
}
