import Foundation
import ParleyDomain
import ParleyLog

/// Folds stored events into projections as fast as two cores allow: the next
/// page is read and decoded on other threads while this one is folded, and
/// each page is decoded in parallel slices (decoding, not folding, is most of
/// the cost).
enum LogFold {
    static let pageSize = 4096

    /// Folds every event after `after` up to `last` (to the end when nil)
    /// into the named projections; returns how many were folded.
    static func fold(
        _ log: EventLog, after: UInt64 = 0, through last: UInt64?, into projections: inout Projections,
        only names: Set<ProjectionName>
    ) async throws -> Int {
        try await forEachPage(log, after: after, through: last) { page in
            for event in page { projections.apply(event, only: names) }
        }
    }

    /// Calls `body` with each page of decoded events in log order; returns how many there were.
    static func forEachPage(
        _ log: EventLog, after: UInt64 = 0, through last: UInt64?, _ body: ([StoredEvent]) throws -> Void
    ) async throws -> Int {
        let last = last ?? .max
        guard after < last else { return 0 }
        var count = 0
        var next = Task { try await page(log, after: after, through: last) }
        while true {
            let (events, more) = try await next.value
            guard let final = events.last, more else {
                try body(events)
                return count + events.count
            }
            next = Task { try await page(log, after: final.entry.offset, through: last) }
            try body(events)
            count += events.count
        }
    }

    /// The decoded page after `offset`, cut at `last`, and whether more may follow it.
    private static func page(_ log: EventLog, after offset: UInt64, through last: UInt64) async throws -> (
        events: [StoredEvent], more: Bool
    ) {
        let read = try await log.read(after: offset, limit: pageSize)
        let entries = read.prefix { $0.offset <= last }
        let more = entries.count == pageSize && entries.last!.offset < last
        return (try await decode(Array(entries)), more)
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
