import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections
import ParleyServer

/// Records an export in the account's audit trail (``AuditExportRecord``):
/// through the running server's admin channel when one holds the directory,
/// otherwise by opening the directory's ledger here — before the export
/// starts, so that no server can start and append in between, and so that a
/// directory nobody can record in is refused before any work is done.
enum AuditExportRecorder {
    case server(AdminClient)
    case ledger(CommandLedger)

    static func open(data: String) async throws -> AuditExportRecorder {
        if let client = await AdminClient.running(data: data) { return .server(client) }
        do {
            return .ledger(try await CommandLedger.open(at: data))
        } catch LogError.locked {
            throw ControlError(
                "\(data) is locked by another process, but no server answers on its admin channel; the export cannot be recorded, so it was not made")
        }
    }

    var name: String {
        switch self {
        case .server: "server"
        case .ledger: "offline"
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
        case .ledger(let ledger):
            let outcome = try await ledger.execute(AuditExportRecord.command(account: account, details: details))
            guard let offset = outcome.events.first?.entry.offset else {
                throw ControlError("recording the export appended nothing")
            }
            return offset
        }
    }

    func close() async {
        switch self {
        case .server: break
        case .ledger(let ledger): await ledger.close()
        }
    }

    /// `details` as the Foundation objects `JSONSerialization` writes.
    private static func foundationJSON(_ details: JSONObject) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(details))
    }
}
