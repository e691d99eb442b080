import Foundation
import ParleyDomain

/// Realtime tokens: HS256 JWTs with `sub`, `exp`, `account` and `role`,
/// signed with a secret of their account (an HMAC of the server's derivation
/// secret), so a token of one account can never open another.
///
/// A contact's token (`pubsub_token`) expires at the end of the token TTL
/// window after the current one: the same contact asking twice in one window,
/// or retrying a request, gets the same token, and it stays valid for at
/// least one TTL.
extension ParleyAPI {
    enum TokenFailure: Error, Equatable {
        /// Malformed, forged, or for an account, user or contact that is not (any more) there.
        case invalid
        case expired
    }

    private func accountKey(_ account: UInt64) -> [UInt8] {
        Crypto.hmacSHA256(key: Array(secrets.derivationSecret.utf8), message: Array("realtime\u{0}\(account)".utf8))
    }

    static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970) }

    /// A token for `member`, valid for `ttl` seconds (the configured TTL when nil).
    func realtimeToken(for member: Member, ttl: Int? = nil, now: UInt64 = ParleyAPI.now()) -> (token: String, expiresAt: UInt64) {
        let expiresAt = now + UInt64(ttl ?? configuration.realtimeTokenTTL)
        let claims: JSONOut = [
            "sub": .string(String(member.user.id)), "exp": .uint(expiresAt), "account": .uint(member.accountID),
            "role": .string(member.role.rawValue),
        ]
        return (JWT.sign(claims, key: accountKey(member.accountID)), expiresAt)
    }

    /// The `pubsub_token` of a contact.
    func contactRealtimeToken(account: UInt64, contact: UInt64, now: UInt64 = ParleyAPI.now()) -> String {
        let ttl = UInt64(configuration.realtimeTokenTTL)
        let expiresAt = (now / ttl + 2) * ttl
        let claims: JSONOut = [
            "sub": .string("contact:\(contact)"), "exp": .uint(expiresAt), "account": .uint(account), "role": "contact",
        ]
        return JWT.sign(claims, key: accountKey(account))
    }

    /// Verifies `token` and checks that what it names still exists: a user
    /// removed from the account, or a deleted contact, is refused at once.
    func verifyRealtimeToken(_ token: String, now: UInt64 = ParleyAPI.now()) throws(TokenFailure) -> RealtimeGrant {
        guard let claims = try? JWT.unverifiedClaims(token), case .number(let accountNumber)? = claims["account"],
            let account = Self.id(accountNumber), (try? JWT.verify(token, key: accountKey(account))) != nil,
            case .string(let subject)? = claims["sub"], case .string(let role)? = claims["role"],
            case .number(let expNumber)? = claims["exp"], expNumber >= 0, expNumber < 1e15
        else { throw .invalid }
        let identity: RealtimeIdentity
        if role == "contact" {
            guard subject.hasPrefix("contact:"), let contact = UInt64(subject.dropFirst(8)) else { throw .invalid }
            identity = .contact(account: account, contact: contact)
        } else {
            guard let user = UInt64(subject) else { throw .invalid }
            identity = .user(account: account, user: user)
        }
        guard exists(identity) else { throw .invalid }
        let expiresAt = UInt64(expNumber)
        guard expiresAt > now else { throw .expired }
        return RealtimeGrant(identity: identity, expiresAt: expiresAt)
    }

    private static func id(_ number: Double) -> UInt64? {
        guard number >= 1, number < 9.0e15, number.rounded() == number else { return nil }
        return UInt64(number)
    }

    /// Whether the user is still a member of the account, or the contact still there.
    func exists(_ identity: RealtimeIdentity) -> Bool {
        read { projections in
            switch identity {
            case .user(let account, let user):
                return projections.directory.account(account)?.members[user] != nil
            case .contact(let account, let contact):
                return projections.directory.contact(contact, account: account) != nil
            }
        }
    }

    /// The member a user identity acts as, with their current role.
    func member(_ identity: RealtimeIdentity) -> Member? {
        guard case .user(let accountID, let userID) = identity else { return nil }
        return read { projections in
            guard let account = projections.directory.account(accountID), let role = account.members[userID],
                let user = projections.directory.user(userID)
            else { return nil }
            return Member(user: user, account: account, role: role)
        }
    }
}
