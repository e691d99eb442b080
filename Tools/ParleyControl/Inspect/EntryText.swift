import Foundation
import ParleyLog
import ParleyProjections

/// How `parleyctl inspect` shows an entry to a person: one line in a list,
/// or every field for `show`. Machines get the stored envelope (``envelope(_:epoch:)``).
public enum EntryText {
    /// Payloads longer than this are cut in list lines (`show` prints them whole).
    static let payloadPreview = 160

    /// `OFFSET TIME TYPE account=A actor=KIND:ID streams=NAME#SEQ,… [key=K] [ephemeral] payload={…}`.
    public static func line(_ entry: LogEntry) -> String {
        let stored = StoredFields(entry)
        var parts = [
            String(entry.offset), time(entry.timestamp), entry.type, "account=\(entry.accountID)", "actor=\(stored.actor)",
            "streams=" + entry.streams.map(position).joined(separator: ","),
        ]
        if let key = entry.idempotencyKey { parts.append("key=\(key)") }
        if entry.retention == .ephemeral { parts.append("ephemeral") }
        var payload = stored.payload
        if payload.count > payloadPreview { payload = String(payload.prefix(payloadPreview)) + "…" }
        parts.append("payload=" + payload)
        return parts.joined(separator: " ")
    }

    /// Every field of `entry`, one per line, then its payload indented.
    public static func detail(_ entry: LogEntry) -> String {
        let stored = StoredFields(entry)
        let fields: [(String, String)] = [
            ("offset", String(entry.offset)), ("time", "\(time(entry.timestamp)) (\(entry.timestamp))"),
            ("type", entry.type), ("version", stored.version), ("account", String(entry.accountID)),
            ("actor", stored.actor), ("retention", entry.retention == .durable ? "durable" : "ephemeral"),
            ("key", entry.idempotencyKey ?? "-"), ("streams", entry.streams.map(position).joined(separator: " ")),
        ]
        let lines = fields.map { name, value in name.padding(toLength: 10, withPad: " ", startingAt: 0) + value }
        return (lines + ["payload", stored.prettyPayload]).joined(separator: "\n")
    }

    /// The event as clients receive it (`Schemas/events/envelope.v1.json`).
    public static func envelope(_ entry: LogEntry, epoch: String) throws -> String {
        do {
            return String(decoding: try EnvelopeJSON.write(entry, epoch: epoch), as: UTF8.self)
        } catch {
            throw ControlError("the entry at offset \(entry.offset) does not hold a Parley event")
        }
    }

    /// `2026-11-21T19:41:46.123Z`.
    static func time(_ milliseconds: UInt64) -> String {
        let seconds = time_t(milliseconds / 1000)
        var parts = tm()
        var copy = seconds
        gmtime_r(&copy, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
    }

    /// `stream#seq`, or the bare name for an ephemeral entry (it has no seq).
    static func position(_ position: StreamPosition) -> String {
        position.seq.map { "\(position.stream)#\($0)" } ?? position.stream
    }
}

/// The actor, version and payload of a stored event, read generically so
/// that any entry shows, even one this build has no event type for.
private struct StoredFields {
    var actor = "?"
    var version = "?"
    var payload: String
    var prettyPayload: String

    init(_ entry: LogEntry) {
        let raw = String(decoding: entry.payload, as: UTF8.self)
        guard let object = try? JSONSerialization.jsonObject(with: Data(entry.payload)) as? [String: Any] else {
            (payload, prettyPayload) = (raw, raw)
            return
        }
        if let actor = object["actor"] as? [String: Any], let kind = actor["type"] as? String {
            let id = (actor["id"] as? NSNumber)?.uint64Value ?? 0
            self.actor = kind == "system" ? "system" : "\(kind):\(id)"
        }
        if let version = object["version"] as? NSNumber { self.version = version.stringValue }
        let body = object["payload"] ?? NSNull()
        payload = Self.json(body, options: []) ?? raw
        prettyPayload = Self.json(body, options: [.prettyPrinted]) ?? raw
    }

    static func json(_ value: Any, options: JSONSerialization.WritingOptions) -> String? {
        let data = try? JSONSerialization.data(
            withJSONObject: value, options: options.union([.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]))
        return data.map { String(decoding: $0, as: UTF8.self) }
    }
}
