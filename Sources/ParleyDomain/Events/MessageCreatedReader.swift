/// Reads a stored `message.created`, half of a busy log, straight from its
/// bytes: through ``EventJSONReader``, `Decodable`'s per-field machinery
/// (generic metadata, boxed containers, a scan of the members per object)
/// was most of the time of folding a log.
///
/// It understands exactly the shape ``EventJSONWriter`` writes, with empty
/// content attributes and no attachments (what almost every chat message
/// has); for anything else it answers nil and the caller decodes the bytes
/// the general way. Tests check that both ways give the same event.
enum MessageCreatedReader {
    struct Read {
        var actor: Actor
        var payload: MessageCreated
    }

    /// The actor and payload stored in `bytes`, or nil when they are not in
    /// the shape this reader knows (including another payload version).
    static func read(_ bytes: [UInt8]) -> Read? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            return try? read(&scanner)
        }
    }

    /// Thrown for anything this reader does not know: the caller falls back.
    private struct Unknown: Error {}

    private static func read(_ scanner: inout JSONScanner) throws -> Read {
        var actor: Actor?
        var version: UInt64?
        var payload: MessageCreated?
        try scanner.forEachMember { key, scanner in
            if key.equals("actor") {
                actor = try self.actor(&scanner)
            } else if key.equals("version") {
                version = try scanner.uint()
            } else if key.equals("payload") {
                payload = try self.payload(&scanner)
            } else {
                throw Unknown()
            }
        }
        guard version == UInt64(MessageCreated.version), let actor, let payload else { throw Unknown() }
        return Read(actor: actor, payload: payload)
    }

    private static func actor(_ scanner: inout JSONScanner) throws -> Actor {
        var kind: Actor.Kind?
        var id: UInt64?
        try scanner.forEachMember { key, scanner in
            if key.equals("type") {
                kind = Actor.Kind(rawValue: try scanner.string())
            } else if key.equals("id") {
                id = try scanner.uint()
            } else {
                throw Unknown()
            }
        }
        guard let kind, let id else { throw Unknown() }
        return Actor(type: kind, id: id)
    }

    private static func payload(_ scanner: inout JSONScanner) throws -> MessageCreated {
        var messageID: UInt64?, conversationID: UInt64?, messageType: MessageType?
        var content: String?, contentType: String?, isPrivate: Bool?
        var sender: Actor?, echoID: String?
        var emptyAttributes = false, noAttachments = false
        try scanner.forEachMember { key, scanner in
            if key.equals("message_id") {
                messageID = try scanner.uint()
            } else if key.equals("conversation_id") {
                conversationID = try scanner.uint()
            } else if key.equals("message_type") {
                messageType = MessageType(rawValue: Int(clamping: try scanner.uint()))
            } else if key.equals("content") {
                content = try scanner.string()
            } else if key.equals("content_type") {
                contentType = try scanner.string()
            } else if key.equals("private") {
                isPrivate = try scanner.bool()
            } else if key.equals("sender") {
                sender = try scanner.skipNull() ? nil : try actor(&scanner)
            } else if key.equals("echo_id") {
                echoID = try scanner.skipNull() ? nil : try scanner.string()
            } else if key.equals("content_attributes") {
                emptyAttributes = try isEmptyObject(&scanner)
            } else if key.equals("attachments") {
                noAttachments = try isEmptyArray(&scanner)
            } else {
                throw Unknown()
            }
        }
        guard emptyAttributes, noAttachments, let messageID, let conversationID, let messageType, let content,
            let contentType, let isPrivate
        else { throw Unknown() }
        return MessageCreated(
            messageID: messageID, conversationID: conversationID, messageType: messageType, content: content,
            contentType: contentType, contentAttributes: [:], private: isPrivate, sender: sender, attachments: [],
            echoID: echoID)
    }

    private static func isEmptyObject(_ scanner: inout JSONScanner) throws -> Bool {
        var empty = true
        try scanner.forEachMember { _, scanner in
            empty = false
            try scanner.skip()
        }
        return empty
    }

    private static func isEmptyArray(_ scanner: inout JSONScanner) throws -> Bool {
        var empty = true
        try scanner.forEachElement { scanner in
            empty = false
            try scanner.skip()
        }
        return empty
    }
}
