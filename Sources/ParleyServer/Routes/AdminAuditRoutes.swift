import Hummingbird
import ParleyDomain

/// `POST /admin/v1/audit_exports`: `parleyctl export-audit` reports an export
/// it made of an account's audit trail, and the server records it in that
/// trail, through the ledger like any other command, while it keeps serving.
///
/// Body: `{"account_id": N, "details": {…}}` (the export's range, records
/// and head hash); answers 201 `{"offset": N}`, where the entry landed.
extension ParleyAPI {
    func addAdminAuditRoutes(to admin: RouterGroup<ParleyRequestContext>) {
        admin.post("audit_exports") { request, context in
            var body = try await self.body(request)
            let account = try body.requiredID("account_id")
            let details = try body.object("details") ?? [:]
            try body.finish()
            let outcome = try await self.execute(AuditExportRecord.command(account: account, details: details), idempotencyKey: nil)
            return JSONResponse(status: .created, ["offset": .uint(outcome.events.first?.entry.offset)])
        }
    }
}

/// The audit entry that records an export: `audit.recorded` with action
/// `audit_exported`, done by Parley itself to the account. The server and
/// `parleyctl` (when no server runs) record it with this same command.
public enum AuditExportRecord {
    public static let action = "audit_exported"

    public static func command(account: UInt64, details: JSONObject) -> Command {
        Command(
            accountID: account, principal: .system,
            action: .recordAudit(action: action, targetType: "Account", targetID: account, ipAddress: nil, details: details))
    }
}
