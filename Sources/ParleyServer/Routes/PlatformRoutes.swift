import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/platform/api/v1`: accounts, users and memberships, for the platform token.
extension ParleyAPI {
    func addPlatformRoutes(to router: Router<ParleyRequestContext>) {
        let platform = router.group("platform/api/v1")
        platform.post("accounts") { request, context in try await self.createAccount(request, context: context) }
        platform.get("accounts/:account_id") { request, context in try await self.platformAccount(request, context: context) }
        platform.patch("accounts/:account_id") { request, context in try await self.updateAccount(request, context: context) }
        platform.post("users") { request, context in try await self.createUser(request, context: context) }
        platform.get("users/:user_id") { request, context in try await self.platformUser(request, context: context) }
        platform.get("accounts/:account_id/account_users") { request, context in
            try await self.accountUsers(request, context: context)
        }
        platform.post("accounts/:account_id/account_users") { request, context in
            try await self.saveAccountUser(request, context: context, update: false)
        }
        platform.patch("accounts/:account_id/account_users") { request, context in
            try await self.saveAccountUser(request, context: context, update: true)
        }
        platform.delete("accounts/:account_id/account_users") { request, context in
            try await self.removeAccountUser(request, context: context)
        }
    }

    private func platformCommand(_ account: UInt64, _ action: Action) -> Command {
        Command(accountID: account, principal: .platform, action: action)
    }

    func createAccount(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        try requirePlatform(request)
        var body = try await self.body(request)
        let name = try body.requiredString("name", maxLength: 255)
        let locale = try body.string("locale", maxLength: 16) ?? "en"
        body.ignore("domain", "support_email", "status", "custom_attributes", "limits")
        try body.finish()
        let outcome = try await execute(
            platformCommand(Platform.accountID, .createAccount(name: name, locale: locale)),
            idempotencyKey: try idempotencyKey(request))
        guard let created = outcome.events.first else { throw APIError.notFound("account") }
        return JSONResponse(.account(try account(created.event.accountID)))
    }

    private func account(_ id: UInt64) throws -> AccountView {
        guard let account = read({ $0.directory.account(id) }) else { throw APIError.notFound("account \(id)") }
        return account
    }

    func platformAccount(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        try requirePlatform(request)
        return JSONResponse(.account(try account(try context.pathID("account_id"))))
    }

    func updateAccount(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        try requirePlatform(request)
        let current = try account(try context.pathID("account_id"))
        var body = try await self.body(request)
        let name = try body.string("name", maxLength: 255) ?? current.name
        let locale = try body.string("locale", maxLength: 16) ?? current.locale
        body.ignore("domain", "support_email", "status", "custom_attributes", "limits")
        try body.finish()
        _ = try await execute(
            platformCommand(current.id, .updateAccount(name: name, locale: locale)), idempotencyKey: try idempotencyKey(request))
        return JSONResponse(.account(try account(current.id)))
    }

    func createUser(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        try requirePlatform(request)
        var body = try await self.body(request)
        let name = try body.requiredString("name", maxLength: 255)
        let email = try body.requiredString("email", maxLength: 255)
        body.ignore("password", "display_name", "custom_attributes")
        try body.finish()
        let key = try idempotencyKey(request)
        let token = secretSource(key: key, scope: "platform/users").make("access_token")
        let outcome = try await execute(
            platformCommand(Platform.accountID, .createUser(name: name, email: email, tokenSha256: Crypto.sha256Hex(token))),
            idempotencyKey: key)
        guard case .userCreated(let created)? = outcome.events.first?.event.body,
            let user = read({ $0.directory.user(created.userID) })
        else { throw APIError.notFound("user") }
        // A retry is answered with the same token only if it is still the user's current one.
        return JSONResponse(.platformUser(user, accessToken: user.tokenSha256 == Crypto.sha256Hex(token) ? token : nil))
    }

    func platformUser(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        try requirePlatform(request)
        let id = try context.pathID("user_id")
        guard let user = read({ $0.directory.user(id) }) else { throw APIError.notFound("user \(id)") }
        return JSONResponse(.platformUser(user, accessToken: nil))
    }

    func accountUsers(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        try requirePlatform(request)
        let account = try account(try context.pathID("account_id"))
        return JSONResponse(
            .array(account.members.sorted { $0.key < $1.key }.map { .accountUser(accountID: account.id, userID: $0.key, role: $0.value) }))
    }

    func saveAccountUser(_ request: Request, context: ParleyRequestContext, update: Bool) async throws -> JSONResponse {
        try requirePlatform(request)
        let account = try account(try context.pathID("account_id"))
        var body = try await self.body(request)
        let userID = try body.requiredID("user_id")
        let role = try body.value("role", as: Role.self) ?? .agent
        try body.finish()
        let action: Action =
            account.members[userID] != nil || update
            ? .updateAccountUser(userID: userID, role: role) : .addAccountUser(userID: userID, role: role)
        let outcome = try await execute(platformCommand(account.id, action), idempotencyKey: try idempotencyKey(request))
        // The membership as stored: a retry answers with the first request's role.
        let saved = try outcome.first { body -> (UInt64, Role)? in
            switch body {
            case .accountUserAdded(let e): (e.userID, e.role)
            case .accountUserUpdated(let e): (e.userID, e.role)
            default: nil
            }
        }
        return JSONResponse(.accountUser(accountID: account.id, userID: saved.0, role: saved.1))
    }

    func removeAccountUser(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        try requirePlatform(request)
        let account = try account(try context.pathID("account_id"))
        var body = try await self.body(request)
        let userID = try body.requiredID("user_id")
        try body.finish()
        _ = try await execute(platformCommand(account.id, .removeAccountUser(userID: userID)), idempotencyKey: try idempotencyKey(request))
        return JSONResponse(["account_id": .uint(account.id), "user_id": .uint(userID)])
    }
}
