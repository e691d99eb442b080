import ParleyDomain
import ParleyProjections

/// A user acting in one of their accounts.
public struct Member: Sendable {
    public var user: UserView
    public var account: AccountView
    public var role: Role

    public var principal: Principal { .user(user.id) }
    public var accountID: UInt64 { account.id }
    public var isAdministrator: Bool { role == .administrator }

    /// Whether this member works in `inbox` (an inbox of their account):
    /// administrators in all, agents in those they are members of. Any other
    /// inbox, and its conversations, must look to them as if it did not exist.
    public func worksIn(_ inbox: InboxView) -> Bool {
        isAdministrator || inbox.members.contains(user.id)
    }

    /// The command `action` by this member in their account.
    public func command(_ action: Action) -> Command {
        Command(accountID: account.id, principal: principal, action: action)
    }
}
