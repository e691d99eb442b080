/// Realtime tokens issued to an operator for a named user (`parleyctl
/// token`, through the admin channel or on a stopped server's directory), for
/// scripts and tests that need a connection without signing in.
public struct IssuedRealtimeToken: Sendable, Hashable {
    public var token: String
    /// Seconds since 1970.
    public var expiresAt: UInt64
    /// What the user may subscribe to now, as `POST …/realtime_token` lists it.
    public var channels: [String]
}

/// Why no token was issued: one line naming the problem.
public struct RealtimeTokenRefusal: Error, CustomStringConvertible, Sendable {
    public var description: String
}

extension ParleyAPI {
    /// The longest TTL an operator may ask for: a year.
    public static let maxIssuedTokenTTL = 366 * 86_400

    /// A token for `user` in `account`, valid for `ttl` seconds (the configured TTL when nil).
    public func issueRealtimeToken(account: UInt64, user: UInt64, ttl: Int?) throws(RealtimeTokenRefusal)
        -> IssuedRealtimeToken
    {
        if let ttl, !(1...Self.maxIssuedTokenTTL).contains(ttl) {
            throw RealtimeTokenRefusal(description: "ttl must be from 1 to \(Self.maxIssuedTokenTTL) seconds, not \(ttl)")
        }
        let found = read { projections -> Result<Member, RealtimeTokenRefusal> in
            guard let accountView = projections.directory.account(account) else {
                return .failure(RealtimeTokenRefusal(description: "account \(account) does not exist"))
            }
            guard let userView = projections.directory.user(user) else {
                return .failure(RealtimeTokenRefusal(description: "user \(user) does not exist"))
            }
            guard let role = accountView.members[user] else {
                return .failure(RealtimeTokenRefusal(description: "user \(user) is not a member of account \(account)"))
            }
            return .success(Member(user: userView, account: accountView, role: role))
        }
        let member = try found.get()
        let (token, expiresAt) = realtimeToken(for: member, ttl: ttl)
        return IssuedRealtimeToken(token: token, expiresAt: expiresAt, channels: realtimeChannels(for: member))
    }
}
