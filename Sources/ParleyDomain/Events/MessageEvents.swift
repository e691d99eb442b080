// Events about messages.

public struct MessageCreated: EventPayload {
    public static let type = "message.created"
    public var messageID: UInt64
    public var conversationID: UInt64
    public var messageType: MessageType
    public var content: String
    public var contentType: String
    public var contentAttributes: JSONObject
    /// A private note: agents only, never shown to the contact.
    public var `private`: Bool
    public var sender: Actor?
    public var attachments: [Attachment]
    /// The client's id for the message, so a retried send returns the same message.
    public var echoID: String?
}

public struct MessageUpdated: EventPayload {
    public static let type = "message.updated"
    public var messageID: UInt64
    public var conversationID: UInt64
    public var content: String
    public var contentAttributes: JSONObject
}

/// A soft delete: the content becomes "This message was deleted" and `deleted` is set.
public struct MessageDeleted: EventPayload {
    public static let type = "message.deleted"
    public var messageID: UInt64
    public var conversationID: UInt64
}
