import Foundation
import ParleyDomain

/// One audit entry in an export (`Schemas/audit-export.md`): a JSON line
/// with its members in a fixed order, ending in the record's own hash.
///
/// The hash is the SHA-256 of the line as written without its `"hash"`
/// member, so it covers `prev`, the previous record's hash: changing,
/// dropping, adding or moving any record breaks the chain at that point.
public struct AuditRecord: Sendable, Hashable {
    /// The record's position in the export, from 1.
    public var n: UInt64
    public var offset: UInt64
    /// Milliseconds since 1970, as the log stamped the event.
    public var time: UInt64
    /// The event type.
    public var type: String
    /// The event type, or the action an `audit.recorded` event names.
    public var action: String
    public var actor: Actor
    public var targetType: String
    public var targetID: UInt64?
    /// The SHA-256 of the event's envelope JSON (``EnvelopeJSON``), hex.
    public var eventSHA256: String
    /// The previous record's hash; 64 zeros for the first.
    public var prev: String

    public init(
        n: UInt64, offset: UInt64, time: UInt64, type: String, action: String, actor: Actor, targetType: String,
        targetID: UInt64?, eventSHA256: String, prev: String
    ) {
        self.n = n
        self.offset = offset
        self.time = time
        self.type = type
        self.action = action
        self.actor = actor
        self.targetType = targetType
        self.targetID = targetID
        self.eventSHA256 = eventSHA256
        self.prev = prev
    }

    /// The member that ends every record line: `,"hash":"` and 64 hex digits and `"}`.
    static let hashMember = Array(#","hash":""#.utf8)
    static let hashSuffixLength = hashMember.count + SHA256Hex.length + 2

    /// Appends the record's line (with its newline) to `out` and returns its hash.
    @discardableResult
    public func write(into out: inout [UInt8]) -> [UInt8] {
        let start = out.count
        out.append(contentsOf: #"{"n":"#.utf8)
        Self.number(n, into: &out)
        out.append(contentsOf: #","offset":"#.utf8)
        Self.number(offset, into: &out)
        out.append(contentsOf: #","time":"#.utf8)
        Self.number(time, into: &out)
        out.append(contentsOf: #","type":"#.utf8)
        EventJSONWriter.quoted(type, into: &out)
        out.append(contentsOf: #","action":"#.utf8)
        EventJSONWriter.quoted(action, into: &out)
        out.append(contentsOf: #","actor":{"type":"#.utf8)
        EventJSONWriter.quoted(actor.type.rawValue, into: &out)
        out.append(contentsOf: #","id":"#.utf8)
        Self.number(actor.id, into: &out)
        out.append(contentsOf: #"},"target":{"type":"#.utf8)
        EventJSONWriter.quoted(targetType, into: &out)
        out.append(contentsOf: #","id":"#.utf8)
        if let targetID { Self.number(targetID, into: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #"},"event_sha256":""#.utf8)
        out.append(contentsOf: eventSHA256.utf8)
        out.append(contentsOf: #"","prev":""#.utf8)
        out.append(contentsOf: prev.utf8)
        out.append(contentsOf: #""}"#.utf8)
        let hash = out.withUnsafeBytes { SHA256Hex.of(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        out.removeLast()
        out.append(contentsOf: Self.hashMember)
        out.append(contentsOf: hash)
        out.append(contentsOf: #""}"#.utf8)
        out.append(UInt8(ascii: "\n"))
        return hash
    }

    private static func number(_ value: UInt64, into out: inout [UInt8]) {
        out.append(contentsOf: String(value).utf8)
    }
}

/// A record line read back: the record, the hash it states and the hash its
/// contents have.
struct ReadRecord {
    var record: AuditRecord
    var statedHash: [UInt8]
    var contentHash: [UInt8]

    var isIntact: Bool { statedHash == contentHash }

    /// Parses one line; nil when it is not a record line at all.
    static func parse(_ line: [UInt8], decoder: JSONDecoder) -> ReadRecord? {
        let suffix = AuditRecord.hashSuffixLength
        guard line.count > suffix, line.first == UInt8(ascii: "{"), line.last == UInt8(ascii: "}"),
            line[line.count - 2] == UInt8(ascii: "\""),
            Array(line[(line.count - suffix)..<(line.count - suffix + AuditRecord.hashMember.count)]) == AuditRecord.hashMember
        else { return nil }
        let stated = Array(line[(line.count - SHA256Hex.length - 2)..<(line.count - 2)])
        guard SHA256Hex.isHash(stated) else { return nil }
        var unsigned = Array(line[..<(line.count - suffix)])
        unsigned.append(UInt8(ascii: "}"))
        guard let fields = try? decoder.decode(Fields.self, from: Data(unsigned)),
            SHA256Hex.isHash(fields.eventSha256.utf8), SHA256Hex.isHash(fields.prev.utf8)
        else { return nil }
        let record = AuditRecord(
            n: fields.n, offset: fields.offset, time: fields.time, type: fields.type, action: fields.action,
            actor: fields.actor, targetType: fields.target.type, targetID: fields.target.id, eventSHA256: fields.eventSha256,
            prev: fields.prev)
        return ReadRecord(record: record, statedHash: stated, contentHash: SHA256Hex.of(unsigned))
    }

    /// The members a record line must have (read with snake_case conversion).
    private struct Fields: Decodable {
        struct Target: Decodable {
            var type: String
            var id: UInt64?
        }

        var n: UInt64
        var offset: UInt64
        var time: UInt64
        var type: String
        var action: String
        var actor: Actor
        var target: Target
        var eventSha256: String
        var prev: String
    }
}
