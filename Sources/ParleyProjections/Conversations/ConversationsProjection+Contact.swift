extension ConversationsProjection {
    /// A contact's conversations that `user` may see, newest activity first,
    /// at most `limit` (Chatwoot's contact page shows the latest 20).
    public func conversations(account: UInt64, contact: UInt64, user: UInt64, limit: Int = 20) -> [ConversationView] {
        let mine = allConversations.filter {
            $0.accountID == account && $0.contactID == contact && userMaySee(user, inbox: $0.inboxID, account: account)
        }
        return Array(mine.sorted(by: Self.order(.lastActivity)).prefix(max(0, limit)))
    }
}
