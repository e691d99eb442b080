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
        let stored = try StoredEvent(entry, decoder: decoder)
        if entry.streams.contains(where: { $0.stream == auditStream }) {
            let audit = AuditEntry(stored)
            return AuditSubject(actor: audit.actor, action: audit.action, targetType: audit.targetType, targetID: audit.targetID)
        }
        let (targetType, targetID) = target(of: entry)
        return AuditSubject(actor: stored.event.actor, action: entry.type, targetType: targetType, targetID: targetID)
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
