import ParleyDomain

/// Accounts, users, inboxes, teams, labels, canned responses, webhooks and
/// contacts as the API shows them, folded from events.
///
/// Ids of these things are numbered across the platform, so each map is keyed
/// by id alone; every read of an account's thing (inbox, team, label, canned
/// response, webhook, contact) takes the account and checks it, so nothing of
/// one account is found through another. Users belong to the platform and are
/// read by id or token alone; an inbox identifier or a contact's source id
/// names one inbox, whose account the caller must check.
public struct DirectoryProjection: Sendable, Hashable, Codable {
    private(set) var accounts: [UInt64: AccountView] = [:]
    private(set) var users: [UInt64: UserView] = [:]
    /// User ids by the SHA-256 of their current access token.
    private(set) var usersByToken: [String: UInt64] = [:]
    private(set) var inboxes: [UInt64: InboxView] = [:]
    private(set) var inboxesByIdentifier: [String: UInt64] = [:]
    private(set) var teams: [UInt64: TeamView] = [:]
    private(set) var labels: [UInt64: LabelView] = [:]
    private(set) var cannedResponses: [UInt64: CannedResponseView] = [:]
    private(set) var webhooks: [UInt64: WebhookView] = [:]
    private(set) var contacts: [UInt64: ContactView] = [:]
    /// Contact ids by inbox and source id.
    private(set) var contactsBySource: [InboxSource: UInt64] = [:]
    /// Contact ids of each account, oldest first, so listing an account's
    /// contacts does not walk every tenant's.
    private(set) var contactIDsByAccount: [UInt64: [UInt64]] = [:]

    public init() {}

    public mutating func apply(_ stored: StoredEvent) {
        let account = stored.event.accountID
        let time = stored.entry.timestamp
        switch stored.event.body {
        case .accountCreated(let e):
            accounts[account] = AccountView(id: account, name: e.name, locale: e.locale, createdAt: time)
        case .accountUpdated(let e):
            accounts[account]?.name = e.name
            accounts[account]?.locale = e.locale
        case .userCreated(let e):
            users[e.userID] = UserView(id: e.userID, name: e.name, email: e.email, tokenSha256: "", createdAt: time)
        case .accessTokenIssued(let e):
            if let old = users[e.userID]?.tokenSha256, !old.isEmpty { usersByToken[old] = nil }
            users[e.userID]?.tokenSha256 = e.tokenSha256
            usersByToken[e.tokenSha256] = e.userID
        case .accountUserAdded(let e):
            accounts[account]?.members[e.userID] = e.role
        case .accountUserUpdated(let e):
            accounts[account]?.members[e.userID] = e.role
        case .accountUserRemoved(let e):
            accounts[account]?.members[e.userID] = nil
            for id in inboxes.keys where inboxes[id]?.accountID == account { inboxes[id]?.members.removeAll { $0 == e.userID } }
            for id in teams.keys where teams[id]?.accountID == account { teams[id]?.members.removeAll { $0 == e.userID } }
        case .availabilityChanged(let e):
            users[e.userID]?.availability = e.availability
        case .inboxCreated(let e):
            inboxes[e.inboxID] = InboxView(
                accountID: account, id: e.inboxID, channelType: e.channelType, inboxIdentifier: e.inboxIdentifier,
                hmacToken: e.hmacToken, settings: e.settings, createdAt: time)
            inboxesByIdentifier[e.inboxIdentifier] = e.inboxID
        case .inboxUpdated(let e):
            inboxes[e.inboxID]?.settings = e.settings
        case .inboxMembersChanged(let e):
            inboxes[e.inboxID]?.members = e.userIDs
        case .teamCreated(let e):
            teams[e.teamID] = TeamView(accountID: account, id: e.teamID, name: e.name, description: e.description)
        case .teamMembersChanged(let e):
            teams[e.teamID]?.members = e.userIDs
        case .labelCreated(let e):
            labels[e.labelID] = LabelView(
                accountID: account, id: e.labelID, title: e.title, description: e.description, color: e.color)
        case .labelDeleted(let e):
            labels[e.labelID] = nil
        case .cannedResponseSaved(let e):
            cannedResponses[e.cannedResponseID] = CannedResponseView(
                accountID: account, id: e.cannedResponseID, shortCode: e.shortCode, content: e.content)
        case .cannedResponseDeleted(let e):
            cannedResponses[e.cannedResponseID] = nil
        case .webhookSaved(let e):
            let current = webhooks[e.webhookID]
            webhooks[e.webhookID] = WebhookView(
                accountID: account, id: e.webhookID, url: e.url, subscriptions: e.subscriptions,
                secretNonce: e.secretNonce ?? current?.secretNonce, delivery: current?.delivery,
                createdOffset: current?.createdOffset ?? stored.entry.offset, inboxID: e.inboxID)
            if let inbox = e.inboxID, inboxes[inbox]?.accountID == account {
                inboxes[inbox]?.callback = InboxCallback(webhookID: e.webhookID, url: e.url)
            }
        case .webhookDeliveryChanged(let e):
            webhooks[e.webhookID]?.delivery = e.state == .active ? nil : WebhookDeliveryHold(state: e.state, reason: e.reason, since: time)
        case .webhookDeleted(let e):
            if let inbox = webhooks[e.webhookID]?.inboxID { inboxes[inbox]?.callback = nil }
            webhooks[e.webhookID] = nil
        case .contactCreated(let e):
            contacts[e.contactID] = ContactView(accountID: account, id: e.contactID, details: e.details, createdAt: time)
            contactIDsByAccount[account, default: []].append(e.contactID)
        case .contactUpdated(let e):
            contacts[e.contactID]?.details = e.details
        case .contactInboxCreated(let e):
            let source = InboxSource(inboxID: e.inboxID, sourceID: e.sourceID)
            contacts[e.contactID]?.contactInboxes.append(source)
            contactsBySource[source] = e.contactID
        case .messageCreated(let e):
            // As Chatwoot's, a contact's last activity is its latest message.
            if let sender = e.sender, sender.type == .contact, contacts[sender.id]?.accountID == account {
                contacts[sender.id]?.lastActivityAt = time
            }
        default:
            break
        }
    }

    // MARK: Reading

    public func account(_ id: UInt64) -> AccountView? { accounts[id] }

    public func user(_ id: UInt64) -> UserView? { users[id] }

    /// The user holding the access token whose SHA-256 is `tokenSha256`.
    public func user(tokenSha256: String) -> UserView? {
        usersByToken[tokenSha256].flatMap { users[$0] }
    }

    /// Accounts `user` belongs to, by id, with the role held in each.
    public func memberships(of user: UInt64) -> [(account: AccountView, role: Role)] {
        accounts.values.compactMap { account in account.members[user].map { (account, $0) } }.sorted { $0.account.id < $1.account.id }
    }

    public func inbox(_ id: UInt64, account: UInt64) -> InboxView? {
        inboxes[id].flatMap { $0.accountID == account ? $0 : nil }
    }

    public func inbox(identifier: String) -> InboxView? {
        inboxesByIdentifier[identifier].flatMap { inboxes[$0] }
    }

    public func inboxes(account: UInt64) -> [InboxView] {
        inboxes.values.filter { $0.accountID == account }.sorted { $0.id < $1.id }
    }

    public func team(_ id: UInt64, account: UInt64) -> TeamView? {
        teams[id].flatMap { $0.accountID == account ? $0 : nil }
    }

    public func teams(account: UInt64) -> [TeamView] {
        teams.values.filter { $0.accountID == account }.sorted { $0.id < $1.id }
    }

    public func labels(account: UInt64) -> [LabelView] {
        labels.values.filter { $0.accountID == account }.sorted { $0.id < $1.id }
    }

    public func label(_ id: UInt64, account: UInt64) -> LabelView? {
        labels[id].flatMap { $0.accountID == account ? $0 : nil }
    }

    public func cannedResponses(account: UInt64) -> [CannedResponseView] {
        cannedResponses.values.filter { $0.accountID == account }.sorted { $0.id < $1.id }
    }

    public func cannedResponse(_ id: UInt64, account: UInt64) -> CannedResponseView? {
        cannedResponses[id].flatMap { $0.accountID == account ? $0 : nil }
    }

    public func webhooks(account: UInt64) -> [WebhookView] {
        webhooks.values.filter { $0.accountID == account }.sorted { $0.id < $1.id }
    }

    /// Every account's webhooks, by id: what the webhook dispatcher runs.
    public var allWebhooks: [WebhookView] { webhooks.values.sorted { $0.id < $1.id } }

    public func webhook(_ id: UInt64, account: UInt64) -> WebhookView? {
        webhooks[id].flatMap { $0.accountID == account ? $0 : nil }
    }

    /// The callback webhook of API inbox `inbox`; nil when it has none or is another account's.
    public func callbackWebhook(ofInbox inbox: UInt64, account: UInt64) -> WebhookView? {
        self.inbox(inbox, account: account)?.callback.flatMap { webhook($0.webhookID, account: account) }
    }

    public func contact(_ id: UInt64, account: UInt64) -> ContactView? {
        contacts[id].flatMap { $0.accountID == account ? $0 : nil }
    }

    /// The contact reached through `inbox` under `sourceID`.
    public func contact(inbox: UInt64, sourceID: String) -> ContactView? {
        contactsBySource[InboxSource(inboxID: inbox, sourceID: sourceID)].flatMap { contacts[$0] }
    }

    /// Contacts of `account`, newest first.
    public func contacts(account: UInt64) -> [ContactView] {
        (contactIDsByAccount[account] ?? []).reversed().compactMap { contacts[$0] }
    }

    /// Contacts of `account` that `query` finds (``ContactSearch``), newest first.
    public func contacts(account: UInt64, matching query: String) -> [ContactView] {
        contacts(account: account).filter(ContactSearch(query).matches)
    }
}

extension DirectoryProjection: CanonicallyEncodable {
    /// Canonical: every map by key, member lists as stored.
    public func encodeCanonically(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(
            accounts.sorted { $0.key < $1.key }.map { id, account in
                [String(id), account.name, account.locale, String(account.createdAt)]
                    + account.members.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }
            })
        try container.encode(users.sorted { $0.key < $1.key }.map(\.value))
        try container.encode(inboxes.sorted { $0.key < $1.key }.map(\.value))
        try container.encode(teams.sorted { $0.key < $1.key }.map(\.value))
        try container.encode(labels.sorted { $0.key < $1.key }.map(\.value))
        try container.encode(cannedResponses.sorted { $0.key < $1.key }.map(\.value))
        try container.encode(webhooks.sorted { $0.key < $1.key }.map(\.value))
        try container.encode(contacts.sorted { $0.key < $1.key }.map(\.value))
    }
}
