import ParleyDomain
import ParleyLog

/// An entry's envelope JSON (`Schemas/events/envelope.v1.json`) written
/// straight from the stored bytes.
///
/// The log stores `{"actor":…,"version":N,"payload":…}` as ``EventCodec``
/// writes it; the envelope wraps the same actor, payload and version in the
/// entry's positions and time. Splicing them in, rather than decoding the
/// event and encoding it again, is what lets a subscriber that missed
/// thousands of events have them in milliseconds. The envelope's own keys are
/// in sorted order; the payload's are as stored (declaration order, free-form
/// objects sorted). The JSON is the same as ``EventEnvelope`` encodes, with
/// the payload's members possibly in another order.
public enum EnvelopeJSON {
    public struct Malformed: Error {}

    public static func write(_ entry: LogEntry, epoch: String) throws(Malformed) -> [UInt8] {
        let stored = entry.payload
        var scanner = ValueScanner(bytes: stored)
        guard let found = scanner.topLevelMembers(), found.count == 3 else { throw Malformed() }
        let members = Dictionary(found, uniquingKeysWith: { first, _ in first })
        guard let actor = members["actor"], let payload = members["payload"], let version = members["version"] else {
            throw Malformed()
        }
        var out = [UInt8]()
        out.reserveCapacity(stored.count + 256)
        out.append(contentsOf: #"{"account_id":"#.utf8)
        out.append(contentsOf: String(entry.accountID).utf8)
        out.append(contentsOf: #","actor":"#.utf8)
        out.append(contentsOf: stored[actor])
        out.append(contentsOf: #","correlation_id":null,"id":"#.utf8)
        string(EventEnvelope.id(epoch: epoch, offset: entry.offset), into: &out)
        out.append(contentsOf: #","idempotency_key":"#.utf8)
        if let key = entry.idempotencyKey { string(key, into: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","occurred_at":"#.utf8)
        out.append(contentsOf: String(entry.timestamp).utf8)
        out.append(contentsOf: #","offset":"#.utf8)
        out.append(contentsOf: String(entry.offset).utf8)
        out.append(contentsOf: #","payload":"#.utf8)
        out.append(contentsOf: stored[payload])
        out.append(contentsOf: #","streams":["#.utf8)
        for (index, position) in entry.streams.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"seq":"#.utf8)
            out.append(contentsOf: (position.seq.map { String($0) } ?? "null").utf8)
            out.append(contentsOf: #","stream":"#.utf8)
            string(position.stream, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"],"type":"#.utf8)
        string(entry.type, into: &out)
        out.append(contentsOf: #","version":"#.utf8)
        out.append(contentsOf: stored[version])
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func string(_ text: String, into out: inout [UInt8]) {
        EventJSONWriter.quoted(text, into: &out)
    }
}

/// Finds where the members of a JSON object start and end, without building values.
private struct ValueScanner {
    let bytes: [UInt8]
    var index = 0

    /// The top-level object's keys (escape-free, as EventCodec writes them) and value ranges.
    mutating func topLevelMembers() -> [(key: String, value: Range<Int>)]? {
        guard bytes.first == UInt8(ascii: "{") else { return nil }
        index = 1
        var members: [(String, Range<Int>)] = []
        if peek == UInt8(ascii: "}") { return index + 1 == bytes.count ? [] : nil }
        while true {
            guard peek == UInt8(ascii: "\""), let keyRange = skipString() else { return nil }
            let key = String(decoding: bytes[(keyRange.lowerBound + 1)..<(keyRange.upperBound - 1)], as: UTF8.self)
            guard peek == UInt8(ascii: ":") else { return nil }
            index += 1
            let start = index
            guard skipValue(depth: 0) else { return nil }
            members.append((key, start..<index))
            guard let next = peek else { return nil }
            index += 1
            if next == UInt8(ascii: "}") { return index == bytes.count ? members : nil }
            guard next == UInt8(ascii: ",") else { return nil }
        }
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipString() -> Range<Int>? {
        let start = index
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""):
                index += 1
                return start..<index
            default: index += 1
            }
        }
        return nil
    }

    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < 64, let first = peek else { return false }
        switch first {
        case UInt8(ascii: "\""): return skipString() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = first == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            if peek == close {
                index += 1
                return true
            }
            while true {
                if first == UInt8(ascii: "{") {
                    guard peek == UInt8(ascii: "\""), skipString() != nil, peek == UInt8(ascii: ":") else { return false }
                    index += 1
                }
                guard skipValue(depth: depth + 1), let next = peek else { return false }
                index += 1
                if next == close { return true }
                guard next == UInt8(ascii: ",") else { return false }
            }
        default:
            while let byte = peek, byte != UInt8(ascii: ","), byte != UInt8(ascii: "}"), byte != UInt8(ascii: "]") { index += 1 }
            return index > 0
        }
    }
}
