import ParleyDomain

/// A conversation as lists show it: what Chatwoot's conversation JSON carries.
public struct ConversationView: Sendable, Hashable, Codable {
    public var accountID: UInt64
    public var id: UInt64
    public var inboxID: UInt64
    public var contactID: UInt64
    public var status: ConversationStatus
    public var snoozedUntil: UInt64?
    public var assigneeID: UInt64?
    public var teamID: UInt64?
    public var priority: Priority?
    public var labels: [String]
    public var customAttributes: JSONObject
    /// Milliseconds since 1970.
    public var createdAt: UInt64
    public var lastActivityAt: UInt64
    /// Since when the contact has waited for a human reply; nil when nothing is pending.
    public var waitingSince: UInt64?
    public var firstReplyCreatedAt: UInt64?
    public var lastMessage: MessageSummary?
    public var messagesCount: Int
    public var csatRating: Int?
}

/// The last message of a conversation, for previews.
public struct MessageSummary: Sendable, Hashable, Codable {
    public var id: UInt64
    public var content: String
    public var messageType: MessageType
    public var isPrivate: Bool
    public var createdAt: UInt64
}

/// A message's place in its conversation, to page messages by id; the
/// message itself is read from the log at `offset`, and its latest edit at
/// `updatedOffset`.
public struct MessageIndexEntry: Sendable, Hashable, Codable {
    public var id: UInt64
    public var offset: UInt64
    public var isPrivate: Bool
    /// When the message was created, milliseconds since 1970: what a read
    /// cursor at this message means as a "last seen" time.
    public var createdAt: UInt64
    /// The offset of the newest `message.updated` event, if the message was edited.
    public var updatedOffset: UInt64?
    /// Soft-deleted: shown as deleted, its content no longer served.
    public var deleted: Bool
}

extension MessageIndexEntry {
    /// An array in the checkpoint, not an object: one per message, their
    /// keys were most of the index's size and cost.
    public init(from decoder: any Decoder) throws {
        var fields = try decoder.unkeyedContainer()
        id = try fields.decode(UInt64.self)
        offset = try fields.decode(UInt64.self)
        isPrivate = try fields.decode(Bool.self)
        createdAt = try fields.decode(UInt64.self)
        updatedOffset = try fields.decodeIfPresent(UInt64.self)
        deleted = try fields.decode(Bool.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(id)
        try fields.encode(offset)
        try fields.encode(isPrivate)
        try fields.encode(createdAt)
        try fields.encode(updatedOffset)
        try fields.encode(deleted)
    }
}
