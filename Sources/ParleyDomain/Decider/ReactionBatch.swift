/// The events of one reaction, each decided as the bot against the state the
/// earlier ones left, the way the ledger will fold them.
struct ReactionBatch {
    let accountID: UInt64
    let now: UInt64
    var state: DomainState
    var events: [DomainEvent] = []

    /// Works on a copy of `state` cut down to the reaction's account: folding
    /// into a full copy would copy every message and notification of the
    /// platform (copy-on-write) on the writer thread, once per reaction.
    /// What the bot's commands read (the account, users, the next ids) is kept.
    init(accountID: UInt64, now: UInt64, state full: DomainState) {
        var state = full
        state.messages = [:]
        state.usersByEmail = [:]
        state.inboxesByIdentifier = [:]
        state.accounts = full.accounts[accountID].map { [accountID: $0] } ?? [:]
        state.automation.accounts = full.automation.accounts[accountID].map { [accountID: $0] } ?? [:]
        state.automation.notifications = [:]
        state.automation.unread = [:]
        self.accountID = accountID
        self.now = now
        self.state = state
    }

    /// Decides `action` as the bot and keeps its events. A refused action
    /// (the conversation hit its rate limit, an assignee left the inbox) is
    /// skipped, and the rest of the reaction goes on.
    /// - Returns: Whether it appended anything.
    @discardableResult
    mutating func run(_ action: Action) -> Bool {
        guard let decided = try? Decider.decide(Command(accountID: accountID, principal: .bot, action: action), state: state, now: now),
            !decided.isEmpty
        else { return false }
        add(decided)
        return true
    }

    mutating func add(_ decided: [DomainEvent]) {
        for event in decided { state.apply(event, at: now) }
        events += decided
    }

    /// A notification for `user`, on their stream.
    mutating func notify(_ user: UInt64, _ type: NotificationType, conversation: UInt64, message: UInt64? = nil) {
        let notification = NotificationCreated(
            notificationID: state.automation.nextNotificationID, userID: user, notificationType: type,
            conversationID: conversation, messageID: message)
        add([
            DomainEvent(
                accountID: accountID, actor: .bot(0), streams: [StreamNames.user(user)],
                body: .notificationCreated(notification))
        ])
    }
}
