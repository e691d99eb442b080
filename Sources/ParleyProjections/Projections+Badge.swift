extension Projections {
    /// A user's unread badge in `account`: unread messages over every
    /// conversation they may see (all of them for administrators, their
    /// inboxes' for agents).
    public func unreadBadge(account: UInt64, user: UInt64) -> Int {
        let visible = conversations.allConversations
            .filter { $0.accountID == account && conversations.userMaySee(user, inbox: $0.inboxID, account: account) }
            .map(\.id)
        return unread.badge(account: account, user: user, conversations: visible)
    }
}
