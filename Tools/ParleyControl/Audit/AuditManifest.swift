import Foundation

/// The last line of an audit export: what was exported, how many records,
/// the last record's hash, and an HMAC-SHA256 signature over exactly those
/// bytes (`Schemas/audit-export.md`).
///
/// Signing the head hash signs every record through the chain, so one
/// signature over a small object proves a file of any size.
public struct AuditManifest: Sendable, Hashable, Codable {
    public static let formatName = "parley.audit-export"
    public static let currentVersion = 1

    public var format = formatName
    public var version = currentVersion
    public var account: UInt64
    /// The log's epoch: offsets mean something only within it.
    public var epoch: String
    /// `audit` (the account's audit stream) or `all_events`.
    public var selection: String
    /// The time range, `[from, to)` in milliseconds since 1970, when one was given.
    public var from: UInt64?
    public var to: UInt64?
    /// The log's head when the export read it: nothing after it is included.
    public var logHead: UInt64
    /// Events the export read to find its records.
    public var eventsRead: UInt64
    public var records: UInt64
    /// Records per action.
    public var actions: [String: UInt64]
    public var firstOffset: UInt64?
    public var lastOffset: UInt64?
    /// The last record's hash (64 zeros when there are none).
    public var headHash: String
    public var exportedAt: UInt64
    /// Names the signing key (``AuditKey/id``), to tell a wrong key from a forged signature.
    public var keyID: String

    enum CodingKeys: String, CodingKey {
        case format, version, account, epoch, selection, from, to, records, actions
        case logHead = "log_head"
        case eventsRead = "events_read"
        case firstOffset = "first_offset"
        case lastOffset = "last_offset"
        case headHash = "head_hash"
        case exportedAt = "exported_at"
        case keyID = "key_id"
    }

    /// Writes absent values as `null`, so every manifest has the same members.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(version, forKey: .version)
        try container.encode(account, forKey: .account)
        try container.encode(epoch, forKey: .epoch)
        try container.encode(selection, forKey: .selection)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(logHead, forKey: .logHead)
        try container.encode(eventsRead, forKey: .eventsRead)
        try container.encode(records, forKey: .records)
        try container.encode(actions, forKey: .actions)
        try container.encode(firstOffset, forKey: .firstOffset)
        try container.encode(lastOffset, forKey: .lastOffset)
        try container.encode(headHash, forKey: .headHash)
        try container.encode(exportedAt, forKey: .exportedAt)
        try container.encode(keyID, forKey: .keyID)
    }

    static let prefix = Array(#"{"manifest":"#.utf8)
    static let signatureMember = Array(#","signature":""#.utf8)
    static let suffixLength = signatureMember.count + SHA256Hex.length + 2

    /// The manifest's line (with its newline), signed with `key`.
    func line(signedWith key: AuditKey) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Array(try encoder.encode(self))
        return Self.prefix + body + Self.signatureMember + key.sign(body) + Array(#""}"#.utf8) + [UInt8(ascii: "\n")]
    }

    /// Whether `line` is laid out as a manifest line (it may still be forged).
    static func looksLikeManifest(_ line: [UInt8]) -> Bool {
        line.starts(with: prefix)
    }
}

/// A manifest line read back, before its signature is checked.
struct ReadManifest {
    var manifest: AuditManifest
    /// The manifest's JSON exactly as written: what the signature covers.
    var body: [UInt8]
    var signature: [UInt8]

    static func parse(_ line: [UInt8]) -> ReadManifest? {
        let prefix = AuditManifest.prefix
        let suffix = AuditManifest.suffixLength
        guard line.count > prefix.count + suffix, line.starts(with: prefix), line.last == UInt8(ascii: "}"),
            line[line.count - 2] == UInt8(ascii: "\""),
            Array(line[(line.count - suffix)..<(line.count - suffix + AuditManifest.signatureMember.count)])
                == AuditManifest.signatureMember
        else { return nil }
        let signature = Array(line[(line.count - SHA256Hex.length - 2)..<(line.count - 2)])
        let body = Array(line[prefix.count..<(line.count - suffix)])
        guard SHA256Hex.isHash(signature), let manifest = try? JSONDecoder().decode(AuditManifest.self, from: Data(body)),
            manifest.format == AuditManifest.formatName
        else { return nil }
        return ReadManifest(manifest: manifest, body: body, signature: signature)
    }
}
