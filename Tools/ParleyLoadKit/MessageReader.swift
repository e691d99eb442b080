import NIOCore

/// Splits a connection's bytes into HTTP/1.1 messages, head and body, one
/// after another. A message that arrives whole and first in one read is cut
/// from that read's buffer where it lies; what arrives in pieces, or behind
/// another message, is copied aside until it is whole.
struct MessageReader {
    /// Bytes of a message not yet complete.
    private var pending = ByteBuffer()
    /// The message whose head has been read, and its body's length.
    private var current: (head: HTTPHead, length: Int)?
    /// The length of a message's body, from its head; throws to refuse it.
    private let bodyLength: (HTTPHead) throws(HTTPHead.Malformed) -> Int

    init(bodyLength: @escaping (HTTPHead) throws(HTTPHead.Malformed) -> Int) {
        self.bodyLength = bodyLength
    }

    /// Takes `bytes` as they came off the connection; returns the next
    /// message once all of it is in hand. Call again with an empty buffer
    /// to take a further message that came in the same read.
    mutating func read(_ bytes: inout ByteBuffer) throws(HTTPHead.Malformed) -> (head: HTTPHead, body: ByteBuffer)? {
        guard pending.readableBytes == 0 else {
            var gathered = pending
            pending = ByteBuffer()
            gathered.writeBuffer(&bytes)
            let message = try take(from: &gathered)
            if gathered.readableBytes > 0 { pending = gathered }
            return message
        }
        let message = try take(from: &bytes)
        if bytes.readableBytes > 0 { pending.writeBuffer(&bytes) }
        return message
    }

    private mutating func take(from buffer: inout ByteBuffer) throws(HTTPHead.Malformed) -> (head: HTTPHead, body: ByteBuffer)? {
        if current == nil {
            guard let head = try HTTPHead.read(from: &buffer) else { return nil }
            current = (head, try bodyLength(head))
        }
        guard let (head, length) = current, let body = buffer.readSlice(length: length) else { return nil }
        current = nil
        return (head, body)
    }
}
