/// An error reply to one command (`{"id", "error": {"code", "message", "temporary"}}`).
/// The codes below 400 are Centrifugo's; a command refused by Parley's
/// command layer (an `rpc`) carries the HTTP status the same request would
/// get, with the API's stable error code leading the message.
struct ReplyError: Error, Sendable, Equatable {
    var code: Int
    var message: String
    var temporary = false

    static let internalError = ReplyError(code: 100, message: "internal server error", temporary: true)
    static let permissionDenied = ReplyError(code: 103, message: "permission denied")
    static let methodNotFound = ReplyError(code: 104, message: "method not found")
    static let alreadySubscribed = ReplyError(code: 105, message: "already subscribed")
    static let limitExceeded = ReplyError(code: 106, message: "limit exceeded")
    static let badRequest = ReplyError(code: 107, message: "bad request")
    static let tokenExpired = ReplyError(code: 109, message: "token expired")
    static let unrecoverablePosition = ReplyError(code: 112, message: "unrecoverable position")

    var json: JSONOut {
        var members: [(String, JSONOut)] = [("code", .int(Int64(code))), ("message", .string(message))]
        if temporary { members.append(("temporary", true)) }
        return .object(members)
    }
}

/// Why the server closes a connection: the WebSocket close code and reason.
/// Codes 3000–3499 ask the client to reconnect (and recover); 3500–3999 are final.
struct Disconnect: Error, Sendable, Equatable {
    var code: UInt16
    var reason: String

    /// The server is going down; the SDKs reconnect (to the next server) and recover.
    static let shutdown = Disconnect(code: 1000, reason: "shutdown")
    static let expired = Disconnect(code: 3005, reason: "connection expired")
    static let slow = Disconnect(code: 3008, reason: "slow")
    static let noPong = Disconnect(code: 3012, reason: "no pong")
    static let invalidToken = Disconnect(code: 3500, reason: "invalid token")
    static let badRequest = Disconnect(code: 3501, reason: "bad request")
    static let stale = Disconnect(code: 3502, reason: "stale")
    /// WebSocket's own: a message (its fragments together) over `max_frame_bytes`.
    static let messageTooBig = Disconnect(code: 1009, reason: "message too big")
    /// WebSocket's own: fragments that do not make a message.
    static let protocolError = Disconnect(code: 1002, reason: "protocol error")
}
