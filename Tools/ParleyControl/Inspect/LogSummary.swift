import Foundation
import ParleyLog
import ParleyServer

/// What `parleyctl inspect stats` reports about a data directory.
public struct LogSummary: Encodable, Sendable {
    public var data: String
    public var epoch: String
    public var head: UInt64
    /// Entries stored (durable and ephemeral); fewer than `head` where ephemeral ones were pruned.
    public var events: UInt64
    public var ephemeral: UInt64
    /// Entries by type.
    public var types: [String: UInt64]
    public var streams: UInt64
    /// Every column family: the log's own and those of its owner (projection state).
    public var families: [String]
    /// Bytes of every file in the directory.
    public var bytes: UInt64

    /// Reads every entry and every stream head of `reader`'s directory.
    public static func collect(_ reader: LogReader, progress: ProgressReporter) async throws -> LogSummary {
        var types: [String: UInt64] = [:]
        var events: UInt64 = 0
        var ephemeral: UInt64 = 0
        var after: UInt64 = 0
        while true {
            let page = try await reader.read(after: after, limit: 4096)
            guard let last = page.last else { break }
            for entry in page {
                types[entry.type, default: 0] += 1
                if entry.retention == .ephemeral { ephemeral += 1 }
            }
            events += UInt64(page.count)
            after = last.offset
            progress.advance(to: after)
        }
        progress.finish()
        var streams: UInt64 = 0
        var lastStream: String?
        while true {
            let page = try await reader.streams(prefix: "", after: lastStream, limit: 4096)
            guard let last = page.last else { break }
            streams += UInt64(page.count)
            lastStream = last.stream
        }
        return LogSummary(
            data: reader.path, epoch: reader.epoch, head: reader.head, events: events, ephemeral: ephemeral, types: types,
            streams: streams, families: reader.familyNames, bytes: FileTree.size(of: reader.path))
    }

    /// The summary for a person: one field a line, then the counts by type.
    public var text: String {
        var lines = [
            "data      \(data)", "epoch     \(epoch)", "head      \(head)",
            "events    \(events) (\(events - ephemeral) durable, \(ephemeral) ephemeral)", "streams   \(streams)",
            "families  \(families.joined(separator: " "))", "size      \(Self.size(bytes)) (\(bytes) bytes)", "types",
        ]
        let width = types.keys.map(\.count).max() ?? 0
        for (type, count) in types.sorted(by: { $0.key < $1.key }) {
            lines.append("  " + type.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(count)")
        }
        return lines.joined(separator: "\n")
    }

    /// `12.3 MiB`.
    static func size(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
