import ParleyDomain

/// Read cursors and what is unread after them, with no cap.
///
/// A participant's cursor is the newest message id they have seen in a
/// conversation. An agent's unread messages are the incoming ones after it; a
/// contact's are the public outgoing ones. One cursor per user, not per
/// device: a read on one device clears the count on all of them. Sending a
/// message moves the sender's cursor to it (replying means having read).
public struct UnreadProjection: Sendable, Hashable, Codable {
    struct ConversationKey: Sendable, Hashable, Comparable, Codable {
        var account: UInt64
        var conversation: UInt64

        static func < (left: ConversationKey, right: ConversationKey) -> Bool {
            (left.account, left.conversation) < (right.account, right.conversation)
        }
    }

    struct CursorKey: Sendable, Hashable, Comparable, Codable {
        var conversation: ConversationKey
        var participant: Participant

        static func < (left: CursorKey, right: CursorKey) -> Bool {
            (left.conversation.account, left.conversation.conversation, left.participant.type.rawValue, left.participant.id)
                < (right.conversation.account, right.conversation.conversation, right.participant.type.rawValue, right.participant.id)
        }
    }

    /// Ascending ids of the messages agents count: incoming.
    private(set) var incoming: [ConversationKey: [UInt64]] = [:]
    /// Ascending ids of the messages contacts count: outgoing and template, not private.
    private(set) var outgoing: [ConversationKey: [UInt64]] = [:]
    private(set) var cursors: [CursorKey: UInt64] = [:]

    public init() {}

    public mutating func apply(_ stored: StoredEvent) {
        let account = stored.event.accountID
        switch stored.event.body {
        case .messageCreated(let e):
            let key = ConversationKey(account: account, conversation: e.conversationID)
            switch e.messageType {
            case .incoming: incoming[key, default: []].append(e.messageID)
            case .outgoing where !e.private, .template where !e.private: outgoing[key, default: []].append(e.messageID)
            default: break
            }
            if let sender = e.sender, let participant = Self.participant(sender) {
                advance(CursorKey(conversation: key, participant: participant), to: e.messageID)
            }
        case .messageDeleted(let e):
            let key = ConversationKey(account: account, conversation: e.conversationID)
            incoming[key]?.removeAll { $0 == e.messageID }
            outgoing[key]?.removeAll { $0 == e.messageID }
        case .conversationRead(let e):
            let key = ConversationKey(account: account, conversation: e.conversationID)
            advance(CursorKey(conversation: key, participant: e.participant), to: e.lastReadMessageID)
        case .markedUnread(let e):
            let key = ConversationKey(account: account, conversation: e.conversationID)
            cursors[CursorKey(conversation: key, participant: Participant(type: .user, id: e.userID))] = e.lastReadMessageID
        default:
            break
        }
    }

    /// A read never moves a cursor back: a late marker from a stale device
    /// must not make read messages unread again (only "mark unread" does).
    private mutating func advance(_ key: CursorKey, to message: UInt64) {
        cursors[key] = max(cursors[key] ?? 0, message)
    }

    private static func participant(_ actor: Actor) -> Participant? {
        switch actor.type {
        case .agent: Participant(type: .user, id: actor.id)
        case .contact: Participant(type: .contact, id: actor.id)
        case .bot, .system: nil
        }
    }

    // MARK: Reading

    /// Messages in the conversation `participant` has not read.
    public func unreadCount(account: UInt64, conversation: UInt64, participant: Participant) -> Int {
        let key = ConversationKey(account: account, conversation: conversation)
        let counted = (participant.type == .user ? incoming[key] : outgoing[key]) ?? []
        let cursor = cursors[CursorKey(conversation: key, participant: participant)] ?? 0
        return counted.count - Self.countNotAbove(cursor, in: counted)
    }

    /// The newest message id `participant` has read in the conversation.
    public func cursor(account: UInt64, conversation: UInt64, participant: Participant) -> UInt64 {
        cursors[CursorKey(conversation: ConversationKey(account: account, conversation: conversation), participant: participant)] ?? 0
    }

    /// A user's badge: unread messages over `conversations` (the ones they may see).
    public func badge(account: UInt64, user: UInt64, conversations: some Sequence<UInt64>) -> Int {
        conversations.reduce(0) {
            $0 + unreadCount(account: account, conversation: $1, participant: Participant(type: .user, id: user))
        }
    }

    /// How many of the ascending `ids` are at most `cursor`.
    private static func countNotAbove(_ cursor: UInt64, in ids: [UInt64]) -> Int {
        var low = 0
        var high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] <= cursor { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension UnreadProjection: CanonicallyEncodable {
    /// Canonical: every map in key order (see ``ConversationsProjection``).
    public func encodeCanonically(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(incoming.sorted { $0.key < $1.key }.map { [$0.key.account, $0.key.conversation] + $0.value })
        try container.encode(outgoing.sorted { $0.key < $1.key }.map { [$0.key.account, $0.key.conversation] + $0.value })
        try container.encode(
            cursors.sorted { $0.key < $1.key }.map {
                "\($0.key.conversation.account)/\($0.key.conversation.conversation)/\($0.key.participant.type.rawValue):\($0.key.participant.id)=\($0.value)"
            })
    }
}
