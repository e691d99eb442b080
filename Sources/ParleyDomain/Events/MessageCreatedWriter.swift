/// Writes a `message.created` for the log straight into bytes, the
/// counterpart of ``MessageCreatedReader``: through ``EventJSONWriter``,
/// `Encodable`'s per-field machinery (boxed containers, a locked lookup of
/// each key's snake_case name) was a sixth of the writer thread's time per
/// chat message.
///
/// It writes exactly the bytes ``EventJSONWriter`` writes, for the shape the
/// reader knows: empty content attributes and no attachments. For anything
/// else it answers nil and the caller encodes the general way. Tests check
/// that both ways give the same bytes.
enum MessageCreatedWriter {
    static func write(_ message: MessageCreated, actor: Actor) -> [UInt8]? {
        guard message.contentAttributes.isEmpty, message.attachments.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(192 + message.content.utf8.count)
        out.append(contentsOf: #"{"actor":"#.utf8)
        write(actor, into: &out)
        out.append(contentsOf: #","version":"#.utf8)
        out.append(contentsOf: String(MessageCreated.version).utf8)
        out.append(contentsOf: #","payload":{"message_id":"#.utf8)
        out.append(contentsOf: String(message.messageID).utf8)
        out.append(contentsOf: #","conversation_id":"#.utf8)
        out.append(contentsOf: String(message.conversationID).utf8)
        out.append(contentsOf: #","message_type":"#.utf8)
        out.append(contentsOf: String(message.messageType.rawValue).utf8)
        out.append(contentsOf: #","content":"#.utf8)
        EventJSONWriter.quoted(message.content, into: &out)
        out.append(contentsOf: #","content_type":"#.utf8)
        EventJSONWriter.quoted(message.contentType, into: &out)
        out.append(contentsOf: #","content_attributes":{},"private":"#.utf8)
        out.append(contentsOf: (message.private ? "true" : "false").utf8)
        if let sender = message.sender {
            out.append(contentsOf: #","sender":"#.utf8)
            write(sender, into: &out)
        }
        out.append(contentsOf: #","attachments":[]"#.utf8)
        if let echoID = message.echoID {
            out.append(contentsOf: #","echo_id":"#.utf8)
            EventJSONWriter.quoted(echoID, into: &out)
        }
        out.append(contentsOf: "}}".utf8)
        return out
    }

    private static func write(_ actor: Actor, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"type":"#.utf8)
        EventJSONWriter.quoted(actor.type.rawValue, into: &out)
        out.append(contentsOf: #","id":"#.utf8)
        out.append(contentsOf: String(actor.id).utf8)
        out.append(UInt8(ascii: "}"))
    }
}
