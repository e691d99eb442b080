import ParleyDomain

/// Who a realtime connection speaks for, as its token says.
public enum RealtimeIdentity: Sendable, Equatable {
    /// A user of an account (administrator or agent).
    case user(account: UInt64, user: UInt64)
    /// A contact, through a widget or app.
    case contact(account: UInt64, contact: UInt64)

    public var accountID: UInt64 {
        switch self {
        case .user(let account, _), .contact(let account, _): account
        }
    }

    /// Centrifugo's `user` in client info: the user id, or `contact:{id}`.
    public var subject: String {
        switch self {
        case .user(_, let user): String(user)
        case .contact(_, let contact): "contact:\(contact)"
        }
    }

    public var principal: Principal {
        switch self {
        case .user(_, let user): .user(user)
        case .contact(_, let contact): .contact(contact)
        }
    }
}

/// A verified token: who, and until when (epoch seconds).
public struct RealtimeGrant: Sendable, Equatable {
    public var identity: RealtimeIdentity
    public var expiresAt: UInt64
}
