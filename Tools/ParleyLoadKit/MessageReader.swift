import NIOCore

/// Splits a connection's bytes into HTTP/1.1 messages, head and body, one
/// after another. A message that arrives whole in one read is cut from that
/// read's buffer where it lies; only a message arriving in pieces is copied
/// together.
struct MessageReader {
    /// Bytes of a message not yet complete.
    private var pending = ByteBuffer()
    /// The message whose head has been read, and its body's length.
    private var current: (head: HTTPHead, length: Int)?
    /// The body length of a message whose head names none; nil refuses it.
    private let lengthWithout: (HTTPHead) throws(HTTPHead.Malformed) -> Int

    init(lengthWithout: @escaping (HTTPHead) throws(HTTPHead.Malformed) -> Int) {
        self.lengthWithout = lengthWithout
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
            let length: Int
            if let named = head.contentLength { length = named } else { length = try lengthWithout(head) }
            current = (head, length)
        }
        guard let (head, length) = current, let body = buffer.readSlice(length: length) else { return nil }
        current = nil
        return (head, body)
    }
}
