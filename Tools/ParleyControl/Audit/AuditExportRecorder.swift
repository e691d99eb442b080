import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections
import ParleyServer

/// Records an export in the account's audit trail (``AuditExportRecord``):
/// through the running server's admin channel when one holds the directory,
/// otherwise by opening the log here — before the export starts, so that no
/// server can start and append in between, and so that a directory nobody
/// can record in is refused before any work is done.
///
/// Offline, the command is decided against the account's creation alone
/// (all that recording an audit entry depends on: the account exists) and
/// appended to the log directly, not through a ``CommandLedger``: opening a
/// ledger loads and, at close, writes again the checkpoint of every
/// projection, 35 s on a log of a million events, for one entry. The
/// ledger's checkpoint stays valid: the next server to open the directory
/// folds the entry like any other appended after the checkpoint.
enum AuditExportRecorder {
    case server(AdminClient)
    case log(EventLog)

    static func open(data: String) async throws -> AuditExportRecorder {
        if let client = await AdminClient.running(data: data) { return .server(client) }
        do {
            return .log(try await EventLog.open(at: data))
        } catch LogError.locked {
            throw ControlError(
                "\(data) is locked by another process, but no server answers on its admin channel; the export cannot be recorded, so it was not made")
        }
    }

    var name: String {
        switch self {
        case .server: "server"
        case .log: "offline"
        }
    }

    /// Appends the `audit_exported` entry; returns its offset.
    func record(account: UInt64, details: JSONObject) async throws -> UInt64 {
        switch self {
        case .server(let client):
            let answer = try await client.request(
                "POST", "/admin/v1/audit_exports", json: ["account_id": account, "details": try Self.foundationJSON(details)])
            guard let offset = (answer["offset"] as? NSNumber)?.uint64Value else {
                throw ControlError("the server recorded the export but did not say where: \(answer)")
            }
            return offset
        case .log(let log):
            let created = try await log.read(stream: StreamNames.audit(account), after: 0, limit: 1)
            guard let creation = created.first else { throw ControlError("account \(account) does not exist in \(log.path)") }
            var state = DomainState()
            state.apply(try StoredEvent(creation).event, at: creation.timestamp)
            let now = UInt64((Date().timeIntervalSince1970 * 1000).rounded())
            let events = try Decider.decide(AuditExportRecord.command(account: account, details: details), state: state, now: now)
            let entries = try events.map { event in
                NewEntry(
                    type: event.type, accountID: event.accountID, streams: event.streams,
                    retention: event.ephemeral ? .ephemeral : .durable, payload: try EventCodec.encode(event))
            }
            guard let appended = try await log.append(entries).entries.first else {
                throw ControlError("recording the export appended nothing")
            }
            return appended.offset
        }
    }

    func close() async {
        switch self {
        case .server: break
        case .log(let log): await log.close()
        }
    }

    /// `details` as the Foundation objects `JSONSerialization` writes.
    private static func foundationJSON(_ details: JSONObject) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(details))
    }
}
