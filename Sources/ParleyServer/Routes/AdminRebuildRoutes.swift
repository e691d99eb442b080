import Hummingbird
import ParleyProjections

/// `POST /admin/v1/rebuild {"projection": "all"|name, "verify": bool}`:
/// `parleyctl rebuild` against a running server. The server keeps serving:
/// the ledger folds the log into fresh projections off its writer thread and
/// swaps them in atomically, writes made meanwhile included
/// (``CommandLedger/rebuild(_:verify:)``). Answers the ``RebuildSummary``.
extension ParleyAPI {
    func addAdminRebuildRoutes(to admin: RouterGroup<ParleyRequestContext>) {
        admin.post("rebuild") { request, _ in try await self.rebuild(request) }
    }

    private func rebuild(_ request: Request) async throws -> JSONResponse {
        var body = try await self.body(request)
        let projection = try body.string("projection", maxLength: 64) ?? "all"
        let verify = try body.bool("verify") ?? false
        try body.finish()
        guard let names = ProjectionName.selection(projection) else {
            throw APIError.invalid("projection", "must be one of \(ProjectionName.choices)")
        }
        let report: RebuildReport
        do {
            report = try await ledger.rebuild(names, verify: verify)
        } catch LedgerError.rebuildRunning {
            throw APIError(.conflict, code: "conflict", message: LedgerError.rebuildRunning.description)
        }
        return JSONResponse(.raw(try RebuildSummary(report, server: true).json()))
    }
}
