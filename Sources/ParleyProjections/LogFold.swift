import Foundation
import ParleyDomain
import ParleyLog

/// Folds stored events into projections as fast as two cores allow: the next
/// page is read and decoded on other threads while this one is folded, and
/// each page is decoded in parallel slices (decoding, not folding, is most of
/// the cost).
///
/// Ephemeral entries (typing, presence) are skipped without being decoded:
/// they are pruned within a day, so no fold may depend on them, and on a
/// busy log they are a fifth of the entries.
enum LogFold {
    static let pageSize = 4096

    /// Folds every durable event after `after` up to `last` (to the end when
    /// nil) into the named projections; returns how many entries were read.
    static func fold(
        _ log: EventLog, after: UInt64 = 0, through last: UInt64?, into projections: inout Projections,
        only names: Set<ProjectionName>
    ) async throws -> Int {
        try await forEachPage(log, after: after, through: last) { page in
            for event in page { projections.apply(event, only: names) }
        }
    }

    /// Pages read and decoded ahead of the one being folded: with one, the
    /// cores idled whenever folding a page and decoding the next did not end
    /// together.
    static let pagesAhead = 3

    /// Calls `body` with each page of decoded durable events in log order;
    /// returns how many entries were read (ephemeral ones included).
    static func forEachPage(
        _ log: EventLog, after: UInt64 = 0, through last: UInt64?, _ body: ([StoredEvent]) throws -> Void
    ) async throws -> Int {
        let last = last ?? .max
        guard after < last else { return 0 }
        var previous: Task<RawPage, any Error>?
        var ahead: [Task<(RawPage, [StoredEvent]), any Error>] = []
        defer { ahead.forEach { $0.cancel() } }
        func readAhead() {
            let read = RawPage.read(log, following: previous, from: after, through: last)
            previous = read
            ahead.append(Task { let raw = try await read.value; return (raw, try await decode(raw.durable)) })
        }
        for _ in 0..<pagesAhead { readAhead() }
        var count = 0
        while true {
            let (raw, events) = try await ahead.removeFirst().value
            count += raw.read
            guard raw.more else {
                try body(events)
                return count
            }
            readAhead()
            try body(events)
        }
    }

    /// One page of entries as read, before decoding.
    private struct RawPage: Sendable {
        /// Its durable entries: the ones to decode and fold.
        var durable: [LogEntry]
        /// How many entries it read, ephemeral ones included.
        var read: Int
        var end: UInt64?
        /// Whether more may follow it.
        var more: Bool

        static let none = RawPage(durable: [], read: 0, end: nil, more: false)

        /// Reads the page after `previous` (or after `offset` for the first),
        /// cut at `last`; empty once `previous` was the last.
        static func read(
            _ log: EventLog, following previous: Task<RawPage, any Error>?, from offset: UInt64, through last: UInt64
        ) -> Task<RawPage, any Error> {
            Task {
                var offset = offset
                if let previous {
                    let page = try await previous.value
                    guard page.more, let end = page.end else { return .none }
                    offset = end
                }
                let read = try await log.read(after: offset, limit: pageSize)
                let entries = read.prefix { $0.offset <= last }
                return RawPage(
                    durable: entries.filter { $0.retention == .durable }, read: entries.count, end: entries.last?.offset,
                    more: entries.count == pageSize && entries.last!.offset < last)
            }
        }
    }

    /// Decodes `entries` in as many slices as there are cores.
    static func decode(_ entries: [LogEntry]) async throws -> [StoredEvent] {
        let slices = min(ProcessInfo.processInfo.activeProcessorCount, max(1, entries.count / 256))
        guard slices > 1 else { return try decodeSlice(entries[...]) }
        let size = (entries.count + slices - 1) / slices
        return try await withThrowingTaskGroup(of: (Int, [StoredEvent]).self) { group in
            for index in 0..<slices {
                let slice = entries[min(entries.count, index * size)..<min(entries.count, (index + 1) * size)]
                group.addTask { (index, try decodeSlice(slice)) }
            }
            var decoded = [[StoredEvent]](repeating: [], count: slices)
            for try await (index, events) in group { decoded[index] = events }
            return decoded.flatMap { $0 }
        }
    }

    private static func decodeSlice(_ entries: ArraySlice<LogEntry>) throws -> [StoredEvent] {
        try entries.map { try StoredEvent($0) }
    }
}
