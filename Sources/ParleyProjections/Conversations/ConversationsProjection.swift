import ParleyDomain

/// Conversations and their message index, folded from events.
public struct ConversationsProjection: Sendable, Hashable, Codable {
    /// Something of one account: a conversation, an inbox or a contact.
    struct Key: Sendable, Hashable, Comparable, Codable {
        var account: UInt64
        var id: UInt64

        static func < (left: Key, right: Key) -> Bool {
            (left.account, left.id) < (right.account, right.id)
        }
    }

    private(set) var conversations = ConversationStore()
    private(set) var messages: [Key: [MessageIndexEntry]] = [:]
    /// The conversation of each message, by account and message id: Chatwoot
    /// addresses a message by its id alone (`messages/{id}`).
    private(set) var messageConversations: [Key: UInt64] = [:]
    /// Contact names and emails by account and contact, for the text query.
    private(set) var contactNames: [Key: String] = [:]
    /// Who may see what: inbox members by account and inbox, and administrators by account.
    private(set) var inboxMembers: [Key: Set<UInt64>] = [:]
    private(set) var administrators: [UInt64: Set<UInt64>] = [:]

    public init() {}

    public mutating func apply(_ stored: StoredEvent) {
        let account = stored.event.accountID
        let time = stored.entry.timestamp
        func update(_ conversation: UInt64, _ body: (inout ConversationView) -> Void) {
            let key = Key(account: account, id: conversation)
            guard var view = conversations[key] else { return }
            body(&view)
            conversations[key] = view
        }
        switch stored.event.body {
        case .accountUserAdded(let e):
            setRole(e.role, of: e.userID, in: account)
        case .accountUserUpdated(let e):
            setRole(e.role, of: e.userID, in: account)
        case .accountUserRemoved(let e):
            administrators[account]?.remove(e.userID)
            for key in inboxMembers.keys where key.account == account { inboxMembers[key]?.remove(e.userID) }
        case .inboxMembersChanged(let e):
            inboxMembers[Key(account: account, id: e.inboxID)] = Set(e.userIDs)
        case .contactCreated(let e):
            contactNames[Key(account: account, id: e.contactID)] = Self.searchText(e.details)
        case .contactUpdated(let e):
            contactNames[Key(account: account, id: e.contactID)] = Self.searchText(e.details)
        case .conversationCreated(let e):
            conversations[Key(account: account, id: e.conversationID)] = ConversationView(
                accountID: account, id: e.conversationID, inboxID: e.inboxID, contactID: e.contactID, status: e.status,
                snoozedUntil: nil, assigneeID: e.assigneeID, teamID: e.teamID, priority: e.priority, labels: e.labels,
                customAttributes: e.customAttributes, createdAt: time, lastActivityAt: time, waitingSince: nil,
                firstReplyCreatedAt: nil, lastMessage: nil, messagesCount: 0, csatRating: nil)
        case .statusChanged(let e):
            update(e.conversationID) {
                $0.status = e.status
                $0.snoozedUntil = e.snoozedUntil
                $0.lastActivityAt = time
                if e.status == .resolved { $0.waitingSince = nil }
            }
        case .assigneeChanged(let e):
            update(e.conversationID) { $0.assigneeID = e.assigneeID }
        case .teamChanged(let e):
            update(e.conversationID) { $0.teamID = e.teamID }
        case .priorityChanged(let e):
            update(e.conversationID) { $0.priority = e.priority }
        case .labelsChanged(let e):
            update(e.conversationID) { $0.labels = e.labels }
        case .customAttributesChanged(let e):
            update(e.conversationID) { $0.customAttributes = e.customAttributes }
        case .csatSubmitted(let e):
            update(e.conversationID) { $0.csatRating = e.rating }
        case .messageCreated(let e):
            let key = Key(account: account, id: e.conversationID)
            guard conversations[key] != nil else { return }
            messages[key, default: []].append(
                MessageIndexEntry(
                    id: e.messageID, offset: stored.entry.offset, isPrivate: e.private, createdAt: time, updatedOffset: nil,
                    deleted: false))
            messageConversations[Key(account: account, id: e.messageID)] = e.conversationID
            update(e.conversationID) { view in
                view.messagesCount += 1
                view.lastActivityAt = time
                // The preview shows what people wrote, as Chatwoot's does, not activity.
                if e.messageType != .activity {
                    view.lastMessage = MessageSummary(
                        id: e.messageID, content: String(e.content.prefix(200)), messageType: e.messageType,
                        isPrivate: e.private, createdAt: time)
                }
                let human = e.sender.map { $0.type == .agent } ?? false
                switch e.messageType {
                case .incoming where view.waitingSince == nil:
                    view.waitingSince = time
                case .outgoing where human && !e.private:
                    view.waitingSince = nil
                    if view.firstReplyCreatedAt == nil { view.firstReplyCreatedAt = time }
                default:
                    break
                }
            }
        case .messageDeleted(let e):
            updateEntry(account: account, conversation: e.conversationID, message: e.messageID) { $0.deleted = true }
            update(e.conversationID) { view in
                if view.lastMessage?.id == e.messageID { view.lastMessage?.content = "This message was deleted" }
            }
        case .messageUpdated(let e):
            updateEntry(account: account, conversation: e.conversationID, message: e.messageID) {
                $0.updatedOffset = stored.entry.offset
            }
            update(e.conversationID) { view in
                if view.lastMessage?.id == e.messageID { view.lastMessage?.content = String(e.content.prefix(200)) }
            }
        default:
            break
        }
    }

    /// Changes the index entry of one message (ids ascend within a conversation).
    private mutating func updateEntry(
        account: UInt64, conversation: UInt64, message: UInt64, _ body: (inout MessageIndexEntry) -> Void
    ) {
        let key = Key(account: account, id: conversation)
        guard let index = messages[key].flatMap({ Self.position(of: message, in: $0) }) else { return }
        body(&messages[key]![index])
    }

    /// Where message `id` sits in `entries`.
    private static func position(of id: UInt64, in entries: [MessageIndexEntry]) -> Int? {
        let index = partitionPoint(entries) { $0.id >= id }
        return index < entries.count && entries[index].id == id ? index : nil
    }

    /// The first index of `entries` (ascending by id) at which `isPast`
    /// holds, found by binary search; `isPast` must hold from there on.
    private static func partitionPoint(_ entries: [MessageIndexEntry], _ isPast: (MessageIndexEntry) -> Bool) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if isPast(entries[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    private mutating func setRole(_ role: Role, of user: UInt64, in account: UInt64) {
        if role == .administrator {
            administrators[account, default: []].insert(user)
        } else {
            administrators[account]?.remove(user)
        }
    }

    private static func searchText(_ details: ContactDetails) -> String {
        [details.name, details.email ?? "", details.phoneNumber ?? "", details.identifier ?? ""]
            .joined(separator: " ").lowercased()
    }

    // MARK: Reading

    public func conversation(account: UInt64, id: UInt64) -> ConversationView? {
        conversations[Key(account: account, id: id)]
    }

    /// Whether `user` may see conversations of `inbox`.
    public func userMaySee(_ user: UInt64, inbox: UInt64, account: UInt64) -> Bool {
        administrators[account]?.contains(user) == true
            || inboxMembers[Key(account: account, id: inbox)]?.contains(user) == true
    }

    /// Up to `limit` messages of a conversation before or after a message id,
    /// oldest first. Private notes only when `includePrivate`.
    public func messages(
        account: UInt64, conversation: UInt64, before: UInt64? = nil, after: UInt64? = nil, limit: Int = 20,
        includePrivate: Bool
    ) -> [MessageIndexEntry] {
        let limit = max(0, limit)
        let all = messages[Key(account: account, id: conversation)] ?? []
        let visible = all.lazy.filter { includePrivate || !$0.isPrivate }
        if let after { return Array(visible.filter { $0.id > after }.prefix(limit)) }
        let upper = visible.filter { entry in before.map { entry.id < $0 } ?? true }
        return Array(upper.suffix(limit))
    }

    /// Message `id` of `account`: its conversation and index entry.
    public func message(account: UInt64, id: UInt64) -> (conversation: UInt64, entry: MessageIndexEntry)? {
        guard let conversation = messageConversations[Key(account: account, id: id)] else { return nil }
        return message(account: account, conversation: conversation, id: id).map { (conversation, $0) }
    }

    /// Message `id` of a conversation.
    public func message(account: UInt64, conversation: UInt64, id: UInt64) -> MessageIndexEntry? {
        guard let entries = messages[Key(account: account, id: conversation)], let index = Self.position(of: id, in: entries)
        else { return nil }
        return entries[index]
    }

    /// The newest message of a conversation, of any kind (activity and private notes included).
    public func lastMessage(account: UInt64, conversation: UInt64) -> MessageIndexEntry? {
        messages[Key(account: account, id: conversation)]?.last
    }

    /// The newest message at or before message `id`: where a read cursor at `id` stands.
    public func message(account: UInt64, conversation: UInt64, atOrBefore id: UInt64) -> MessageIndexEntry? {
        guard let entries = messages[Key(account: account, id: conversation)] else { return nil }
        let index = Self.partitionPoint(entries) { $0.id > id }
        return index > 0 ? entries[index - 1] : nil
    }

    var allConversations: Dictionary<Key, ConversationView>.Values { conversations.values }

    func contactText(account: UInt64, contact: UInt64) -> String {
        contactNames[Key(account: account, id: contact)] ?? ""
    }
}

extension ConversationsProjection: CanonicallyEncodable {
    /// Canonical: every map and set in key order, so equal projections encode
    /// (and digest) alike whatever order they were built in.
    public func encodeCanonically(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(conversations.sorted { $0.key < $1.key }.map(\.value))
        try container.encode(
            messages.sorted { $0.key < $1.key }.map { key, entries in
                [key.account, key.id]
                    + entries.flatMap { [$0.id, $0.offset, $0.isPrivate ? 1 : 0, $0.createdAt, $0.updatedOffset ?? 0, $0.deleted ? 1 : 0] }
            })
        try container.encode(messageConversations.sorted { $0.key < $1.key }.map { [$0.key.account, $0.key.id, $0.value] })
        try container.encode(contactNames.sorted { $0.key < $1.key }.map { "\($0.key.account)/\($0.key.id)=\($0.value)" })
        try container.encode(inboxMembers.sorted { $0.key < $1.key }.map { [$0.key.account, $0.key.id] + $0.value.sorted() })
        try container.encode(administrators.sorted { $0.key < $1.key }.map { [$0.key] + $0.value.sorted() })
    }
}
