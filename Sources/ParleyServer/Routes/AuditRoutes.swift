import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{id}/audit_logs`: the account's administrative and
/// security trail, newest first, 15 a page, for administrators.
extension ParleyAPI {
    func addAuditRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("audit_logs") { request, context in
            let member = try self.requireAdministrator(request, context: context)
            let page = try QueryParameters(request).page()
            return self.read { projections in
                let audit = projections.audit.page(account: member.accountID, page: page)
                return JSONResponse([
                    "per_page": .int(Int64(AuditPage.perPage)), "total_entries": .int(Int64(audit.totalEntries)),
                    "current_page": .int(Int64(audit.currentPage)),
                    "audit_logs": .array(
                        audit.entries.map { entry in
                            .auditEntry(entry, user: entry.actor.type == .agent ? projections.directory.user(entry.actor.id) : nil)
                        }),
                ])
            }
        }
    }
}
