import ParleyDomain
import ParleyLog
import ParleyProjections

/// Records an export in the account's audit trail: through the running
/// server's admin channel when one holds the directory, otherwise by opening
/// the directory's ledger here — before the export starts, so that no server
/// can start and append in between, and so that a directory nobody can
/// record in is refused before any work is done.
enum AuditExportRecorder {
    case ledger(CommandLedger)

    static func open(data: String) async throws -> AuditExportRecorder {
        do {
            return .ledger(try await CommandLedger.open(at: data))
        } catch LogError.locked {
            throw ControlError(
                "\(data) is locked by another process, but no server answers on its admin channel; the export cannot be recorded, so it was not made")
        }
    }

    var name: String {
        switch self {
        case .ledger: "offline"
        }
    }

    /// Appends the `audit_exported` entry; returns its offset.
    func record(account: UInt64, details: JSONObject) async throws -> UInt64 {
        switch self {
        case .ledger(let ledger):
            let outcome = try await ledger.execute(AuditExportEntry.command(account: account, details: details))
            guard let offset = outcome.events.first?.entry.offset else {
                throw ControlError("recording the export appended nothing")
            }
            return offset
        }
    }

    func close() async {
        switch self {
        case .ledger(let ledger): await ledger.close()
        }
    }
}
