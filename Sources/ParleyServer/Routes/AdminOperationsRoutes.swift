import Hummingbird

/// `POST /admin/v1/backup {"path"}`: a consistent backup while the server
/// keeps serving (``DataBackup``). `POST /admin/v1/realtime_token
/// {"account", "user", "ttl"}`: a realtime token for a member, as
/// `parleyctl token` prints it.
extension ParleyAPI {
    func addAdminOperationsRoutes(to admin: RouterGroup<ParleyRequestContext>) {
        admin.post("backup") { request, _ in
            var body = try await self.body(request)
            let path = try body.requiredString("path", maxLength: 4096)
            try body.finish()
            do {
                try await DataBackup.write(log: self.ledger.log, dataDirectory: self.configuration.dataDirectory, to: path)
            } catch let failure as DataBackup.Failure {
                throw APIError(.conflict, code: "invalid_backup_path", message: failure.description)
            } catch let failure as FileTree.Failure {
                throw APIError(.unprocessableContent, code: "backup_failed", message: failure.description)
            }
            return JSONResponse(["path": .string(path), "epoch": .string(self.epoch)])
        }
        admin.post("realtime_token") { request, _ in
            var body = try await self.body(request)
            let account = try body.requiredID("account")
            let user = try body.requiredID("user")
            let ttl = try body.int("ttl", in: 1...Self.maxIssuedTokenTTL)
            try body.finish()
            let issued: IssuedRealtimeToken
            do throws(RealtimeTokenRefusal) {
                issued = try self.issueRealtimeToken(account: account, user: user, ttl: ttl)
            } catch {
                throw APIError(.unprocessableContent, code: "invalid_argument", message: error.description)
            }
            return JSONResponse([
                "token": .string(issued.token), "expires_at": .uint(issued.expiresAt),
                "channels": .array(issued.channels.map { .string($0) }),
            ])
        }
    }
}
