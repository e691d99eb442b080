import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections

/// Who did what to what, for one event of an export.
///
/// An event on the account's audit stream says it as the audit trail does
/// (``AuditEntry``: `audit.recorded` names its action and target). Any other
/// event (`--all-events`) is its type, done to the most specific thing whose
/// stream it is on: a conversation, a contact, an inbox, a user, else the account.
struct AuditSubject: Equatable {
    var actor: Actor
    var action: String
    var targetType: String
    var targetID: UInt64?

    static func of(_ entry: LogEntry, auditStream: String, decoder: JSONDecoder) throws -> AuditSubject {
        if entry.streams.contains(where: { $0.stream == auditStream }) {
            let audit = AuditEntry(try StoredEvent(entry, decoder: decoder))
            return AuditSubject(actor: audit.actor, action: audit.action, targetType: audit.targetType, targetID: audit.targetID)
        }
        let (targetType, targetID) = target(of: entry)
        let actor = try StoredActor.read(entry.payload) ?? decoder.decode(StoredActor.self, from: Data(entry.payload)).actor
        return AuditSubject(actor: actor, action: entry.type, targetType: targetType, targetID: targetID)
    }

    /// Stream kinds from the most specific, with the position of the id in the name.
    private static let targets: [(prefix: String, type: String, idField: Int)] = [
        ("conversation:", "Conversation", 2), ("contact:", "Contact", 2), ("inbox:", "Inbox", 2), ("user:", "User", 1),
    ]

    static func target(of entry: LogEntry) -> (String, UInt64?) {
        for kind in targets {
            for position in entry.streams where position.stream.hasPrefix(kind.prefix) {
                let fields = position.stream.split(separator: ":")
                if fields.count > kind.idField, let id = UInt64(fields[kind.idField]) { return (kind.type, id) }
            }
        }
        return ("Account", entry.accountID)
    }
}

/// The actor of a stored event, without decoding its payload: decoding a
/// whole event with `JSONDecoder` took 18 µs, most of an export's time when
/// it reads every event of an account (`--all-events`).
struct StoredActor: Decodable {
    var actor: Actor

    /// What `EventCodec` writes first (members in declaration order).
    private static let prefix = Array(#"{"actor":{"type":""#.utf8)
    private static let idMember = Array(#"","id":"#.utf8)

    /// The actor read straight from `{"actor":{"type":"K","id":N},…`; nil
    /// when the bytes are laid out otherwise (then decode them instead).
    static func read(_ payload: [UInt8]) -> Actor? {
        guard payload.starts(with: prefix),
            let quote = payload[prefix.count...].firstIndex(of: UInt8(ascii: "\"")),
            payload[quote...].starts(with: idMember),
            let kind = Actor.Kind(rawValue: String(decoding: payload[prefix.count..<quote], as: UTF8.self))
        else { return nil }
        var index = quote + idMember.count
        let digitsStart = index
        var id: UInt64 = 0
        while index < payload.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(payload[index]) {
            let (times, overflow) = id.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(payload[index] - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            id = sum
            index += 1
        }
        guard index > digitsStart, index < payload.count, payload[index] == UInt8(ascii: "}") else { return nil }
        return Actor(type: kind, id: id)
    }
}
