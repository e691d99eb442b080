/// A publication as the benchmarks count it: its stream sequence, and the
/// message it carries when its event is a message (`payload.message_id`).
public struct CentrifugePublication: Sendable, Equatable {
    public var offset: UInt64
    public var messageID: UInt64?

    public init(offset: UInt64, messageID: UInt64?) {
        self.offset = offset
        self.messageID = messageID
    }
}

/// A reply to one command, reduced to what a client that resumes needs.
public struct CentrifugeReply: Sendable, Equatable {
    public var id: UInt64
    public var errorCode: Int?
    public var errorMessage: String?
    /// From the result: the stream position and epoch, whether recovery
    /// worked, and (connect only) whether pings must be answered.
    public var epoch: String?
    public var offset: UInt64?
    public var recovered: Bool?
    public var pong: Bool?
    /// The result's `publications` (subscribe with recovery, history).
    public var publications: [CentrifugePublication] = []

    public init(id: UInt64) {
        self.id = id
    }
}

/// One JSON object of a server frame.
public enum CentrifugeMessage: Sendable, Equatable {
    /// `{}`: the server's ping, answered with `{}` when connect said `pong: true`.
    case ping
    case reply(CentrifugeReply)
    case publication(CentrifugePublication)
    case disconnect(code: Int, reason: String)
    /// Anything else (join, leave, unsubscribe, or what this client does not read).
    case other
    case malformed
}

/// Reads the server's text frames: one or more JSON objects separated by
/// `\n` (JSON escapes every newline inside a string, so a raw newline always
/// separates two objects).
public enum CentrifugeFrame {
    /// Calls `body` with each object of `frame`, in order.
    public static func messages(in frame: UnsafeRawBufferPointer, _ body: (CentrifugeMessage) -> Void) {
        let scan = JSONScan(frame)
        var start = 0
        while start < frame.count {
            var end = start
            while end < frame.count, frame[end] != UInt8(ascii: "\n") { end += 1 }
            let line = scan.trimmed(start..<end)
            if !line.isEmpty { body(message(line, scan)) }
            start = end + 1
        }
    }

    /// The messages of `frame`, for tests and small replies.
    public static func messages(in frame: [UInt8]) -> [CentrifugeMessage] {
        var all: [CentrifugeMessage] = []
        frame.withUnsafeBytes { bytes in messages(in: bytes) { all.append($0) } }
        return all
    }

    static func message(_ line: Range<Int>, _ scan: JSONScan) -> CentrifugeMessage {
        var id: UInt64?
        var push: Range<Int>?
        var error: Range<Int>?
        var result: (name: Range<Int>, value: Range<Int>)?
        var members = 0
        let wellFormed = scan.forEachMember(of: line) { key, value in
            members += 1
            if scan.equals(key, "id") {
                id = scan.unsigned(value)
            } else if scan.equals(key, "push") {
                push = value
            } else if scan.equals(key, "error") {
                error = value
            } else if scan.bytes[value.lowerBound] == UInt8(ascii: "{") {
                result = (key, value)
            }
            return true
        }
        guard wellFormed else { return .malformed }
        if members == 0 { return .ping }
        if let push { return self.push(push, scan) }
        guard let id, id > 0 else { return .other }
        var reply = CentrifugeReply(id: id)
        if let error {
            reply.errorCode = scan.member("code", of: error).flatMap(scan.integer) ?? 0
            reply.errorMessage = scan.member("message", of: error).flatMap(scan.rawString) ?? ""
        } else if let result {
            read(result.value, named: result.name, into: &reply, scan)
        }
        return .reply(reply)
    }

    private static func read(_ result: Range<Int>, named name: Range<Int>, into reply: inout CentrifugeReply, _ scan: JSONScan) {
        let isConnect = scan.equals(name, "connect")
        scan.forEachMember(of: result) { key, value in
            if scan.equals(key, "epoch") {
                reply.epoch = scan.rawString(value)
            } else if scan.equals(key, "offset") {
                reply.offset = scan.unsigned(value)
            } else if scan.equals(key, "recovered") {
                reply.recovered = scan.bool(value)
            } else if isConnect, scan.equals(key, "pong") {
                reply.pong = scan.bool(value)
            } else if scan.equals(key, "publications") {
                scan.forEachElement(of: value) { element in
                    if let publication = publication(element, scan) { reply.publications.append(publication) }
                }
            }
            return true
        }
    }

    private static func push(_ push: Range<Int>, _ scan: JSONScan) -> CentrifugeMessage {
        var message = CentrifugeMessage.other
        scan.forEachMember(of: push) { key, value in
            if scan.equals(key, "pub") {
                message = publication(value, scan).map(CentrifugeMessage.publication) ?? .malformed
                return false
            }
            if scan.equals(key, "disconnect") {
                let code = scan.member("code", of: value).flatMap(scan.integer) ?? 0
                message = .disconnect(code: code, reason: scan.member("reason", of: value).flatMap(scan.rawString) ?? "")
                return false
            }
            return true
        }
        return message
    }

    /// A publication's `offset`, and `data.payload.message_id` when there is one.
    static func publication(_ object: Range<Int>, _ scan: JSONScan) -> CentrifugePublication? {
        var offset: UInt64?
        var data: Range<Int>?
        let wellFormed = scan.forEachMember(of: object) { key, value in
            if scan.equals(key, "offset") {
                offset = scan.unsigned(value)
            } else if scan.equals(key, "data") {
                data = value
            }
            return true
        }
        guard wellFormed, let offset else { return nil }
        let messageID = data.flatMap { scan.member("payload", of: $0) }.flatMap { scan.member("message_id", of: $0) }
            .flatMap(scan.unsigned)
        return CentrifugePublication(offset: offset, messageID: messageID)
    }
}
