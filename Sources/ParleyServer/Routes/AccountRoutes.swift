import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{id}`: the account itself, for its members; its name and
/// locale, for its administrators.
extension ParleyAPI {
    func addAccountRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get { request, context in
            JSONResponse(.account(try self.requireMember(request, context: context).account))
        }
        account.patch { request, context in try await self.updateOwnAccount(request, context: context) }
        account.put { request, context in try await self.updateOwnAccount(request, context: context) }
    }

    func updateOwnAccount(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        var body = try await self.body(request)
        let name = try body.string("name", maxLength: Limits.maxNameLength * 4) ?? member.account.name
        let locale = try body.string("locale", maxLength: 16) ?? member.account.locale
        try body.finish()
        guard !locale.isEmpty, locale.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else { throw APIError.invalid("locale", "expected a locale such as en or pt_BR") }
        _ = try await execute(member.command(.updateAccount(name: name, locale: locale)), idempotencyKey: try idempotencyKey(request))
        guard let updated = read({ $0.directory.account(member.accountID) }) else { throw APIError.notFound("account") }
        return JSONResponse(.account(updated))
    }
}
