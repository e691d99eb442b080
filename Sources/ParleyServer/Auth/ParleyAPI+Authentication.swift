import Hummingbird
import ParleyDomain
import ParleyProjections

/// Who is calling. Tokens are never stored: the directory keeps their
/// SHA-256, and a presented token is hashed before it is looked up, so a
/// lookup's timing says nothing about any stored token. The platform token is
/// compared (as a hash) in constant time.
extension ParleyAPI {
    func presentedToken(_ request: Request) -> String? {
        guard let token = request.headers[.apiAccessToken], !token.isEmpty, token.utf8.count <= 512 else { return nil }
        return token
    }

    /// Refuses anything but the platform token.
    public func requirePlatform(_ request: Request) throws {
        guard let token = presentedToken(request),
            Crypto.constantTimeEquals(Crypto.sha256Hex(token), secrets.platformTokenSha256)
        else { throw APIError.unauthorized }
    }

    /// The user whose access token the request carries.
    public func requireUser(_ request: Request) throws -> UserView {
        guard let token = presentedToken(request) else { throw APIError.unauthorized }
        let hash = Crypto.sha256Hex(token)
        guard let user = read({ $0.directory.user(tokenSha256: hash) }),
            Crypto.constantTimeEquals(user.tokenSha256, hash)
        else { throw APIError.unauthorized }
        return user
    }

    /// The caller as a member of the account in the path (`:account_id`).
    /// An account the caller does not belong to answers 404, exactly like one
    /// that does not exist.
    public func requireMember(_ request: Request, context: ParleyRequestContext) throws -> Member {
        let user = try requireUser(request)
        let accountID = try context.pathID("account_id")
        return try read { projections in
            guard let account = projections.directory.account(accountID), let role = account.members[user.id] else {
                throw APIError.notFound("account \(accountID)")
            }
            return Member(user: user, account: account, role: role)
        }
    }

    /// As ``requireMember(_:context:)``, for administrators only.
    public func requireAdministrator(_ request: Request, context: ParleyRequestContext) throws -> Member {
        let member = try requireMember(request, context: context)
        guard member.isAdministrator else { throw APIError.forbidden("administrators only") }
        return member
    }
}

extension ParleyRequestContext {
    /// A numeric path parameter, in digits only; anything else is a 404, as
    /// for an id that does not exist. (`UInt64("+7")` is 7: without the digit
    /// check `/accounts/+7` would be a second name for `/accounts/7`.)
    public func pathID(_ name: String) throws -> UInt64 {
        guard let text = parameters.get(name), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let id = UInt64(text),
            id < 1 << 53
        else {
            throw APIError.notFound("\(name.replacingOccurrences(of: "_id", with: "")) \(parameters.get(name) ?? "")")
        }
        return id
    }
}
