import HTTPTypes
import Hummingbird

/// `/admin/v1/…`: what `parleyctl` asks of a running server (backup, rebuild,
/// recording an export). Only the holder of this run's admin token, which the
/// server writes into its data directory (``AdminChannel``), is let in.
extension ParleyAPI {
    func addAdminRoutes(to router: Router<ParleyRequestContext>) {
        let admin = router.group("admin/v1")
        admin.add(middleware: AdminAuthentication(token: adminToken))
        admin.get("status") { _, _ in
            JSONResponse([
                "epoch": .string(self.epoch), "head": .uint(self.ledger.log.head),
                "folded_offset": .uint(self.ledger.foldedOffset),
            ])
        }
        addAdminOperationsRoutes(to: admin)
        addAdminAuditRoutes(to: admin)
        addAdminRebuildRoutes(to: admin)
    }
}

/// Refuses a request without `Authorization: Bearer <admin token>`.
struct AdminAuthentication: RouterMiddleware {
    typealias Context = ParleyRequestContext
    let token: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            Crypto.constantTimeEquals(String(header.dropFirst("Bearer ".count)), token)
        else {
            throw APIError(.unauthorized, code: "unauthorized", message: "the admin token from the data directory is required")
        }
        return try await next(request, context)
    }
}
