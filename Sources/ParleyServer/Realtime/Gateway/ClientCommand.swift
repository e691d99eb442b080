import ParleyDomain

/// One command from a client, parsed from a line of a text frame.
///
/// Unknown fields are ignored, as Centrifugo's JSON decoding does, so newer
/// SDKs keep working; a field of the wrong type is a bad request.
struct ClientCommand: Sendable {
    /// The client's id for the reply; 0 for `send` and the pong (`{}`).
    var id: UInt32
    var method: Method

    enum Method: Sendable {
        case connect(Connect)
        case subscribe(Subscribe)
        case unsubscribe(channel: String)
        case publish(channel: String)
        case presence(channel: String)
        case presenceStats(channel: String)
        case history(History)
        case ping
        case send
        case rpc(method: String, data: JSONValue)
        case refresh(token: String)
        case subRefresh(channel: String)
        /// `{}`: the client's answer to a server ping.
        case pong
    }

    struct Connect: Sendable {
        var token: String
        /// Channels to subscribe in the same round trip, in the order sent.
        var subs: [(channel: String, request: Subscribe)]
    }

    struct Subscribe: Sendable {
        var channel: String
        var recover = false
        var epoch = ""
        var offset: UInt64 = 0
        var joinLeave = false
    }

    struct History: Sendable {
        var channel: String
        var limit: Int
        var since: (offset: UInt64, epoch: String)?
        var reverse: Bool
    }

    /// Why a line is not a command: the connection is closed (malformed
    /// JSON, no id), or only this command is refused (its id is known).
    enum Failure: Error {
        case malformed
        case refused(id: UInt32, ReplyError)
    }

    static func parse(_ line: [UInt8]) throws(Failure) -> ClientCommand {
        guard case .object(let object)? = try? JSONParser.parse(line) else { throw .malformed }
        if object.isEmpty { return ClientCommand(id: 0, method: .pong) }
        var id: UInt32 = 0
        if let value = object["id"] {
            guard case .number(let number) = value, number >= 0, number <= Double(UInt32.max), number.rounded() == number
            else { throw .malformed }
            id = UInt32(number)
        }
        let methods = ["connect", "subscribe", "unsubscribe", "publish", "presence", "presence_stats", "history", "ping", "send",
            "rpc", "refresh", "sub_refresh"]
        let named = methods.filter { object[$0] != nil }
        guard named.count == 1, let name = named.first else {
            if id == 0 { throw .malformed }
            throw .refused(id: id, named.isEmpty ? .methodNotFound : .badRequest)
        }
        if name == "send" { return ClientCommand(id: 0, method: .send) }
        guard id > 0 else { throw .malformed }
        guard case .object(let body)? = object[name] else { throw .refused(id: id, .badRequest) }
        var fields = Fields(body)
        do {
            return ClientCommand(id: id, method: try method(name, &fields))
        } catch {
            throw .refused(id: id, .badRequest)
        }
    }

    private static func method(_ name: String, _ fields: inout Fields) throws(FieldError) -> Method {
        switch name {
        case "connect":
            var subs: [(String, Subscribe)] = []
            if let requests = try fields.object("subs") {
                for channel in requests.keys.sorted() {
                    guard case .object(let request)? = requests[channel] else { throw FieldError() }
                    var sub = Fields(request)
                    subs.append((channel, try subscribe(channel: channel, &sub)))
                }
            }
            return .connect(Connect(token: try fields.string("token") ?? "", subs: subs))
        case "subscribe":
            let channel = try fields.requiredString("channel")
            return .subscribe(try subscribe(channel: channel, &fields))
        case "unsubscribe": return .unsubscribe(channel: try fields.requiredString("channel"))
        case "publish": return .publish(channel: try fields.requiredString("channel"))
        case "presence": return .presence(channel: try fields.requiredString("channel"))
        case "presence_stats": return .presenceStats(channel: try fields.requiredString("channel"))
        case "history":
            let channel = try fields.requiredString("channel")
            var since: (UInt64, String)?
            if let position = try fields.object("since") {
                let sinceFields = Fields(position)
                since = (try sinceFields.uint("offset") ?? 0, try sinceFields.string("epoch") ?? "")
            }
            let limit = try fields.int("limit") ?? 0
            return .history(History(channel: channel, limit: limit, since: since, reverse: try fields.bool("reverse") ?? false))
        case "ping": return .ping
        case "rpc":
            return .rpc(method: try fields.string("method") ?? "", data: fields.value("data") ?? .object([:]))
        case "refresh": return .refresh(token: try fields.requiredString("token"))
        default: return .subRefresh(channel: try fields.requiredString("channel"))
        }
    }

    private static func subscribe(channel: String, _ fields: inout Fields) throws(FieldError) -> Subscribe {
        Subscribe(
            channel: channel, recover: try fields.bool("recover") ?? false, epoch: try fields.string("epoch") ?? "",
            offset: try fields.uint("offset") ?? 0, joinLeave: try fields.bool("join_leave") ?? false)
    }
}

struct FieldError: Error {}

/// Typed reads of a command's fields; null counts as absent, as in protobuf's JSON mapping.
private struct Fields {
    let members: [String: JSONValue]

    init(_ members: [String: JSONValue]) { self.members = members }

    func value(_ key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(FieldError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw FieldError() }
        return text
    }

    func requiredString(_ key: String) throws(FieldError) -> String {
        guard let text = try string(key), !text.isEmpty else { throw FieldError() }
        return text
    }

    func bool(_ key: String) throws(FieldError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw FieldError() }
        return flag
    }

    func int(_ key: String) throws(FieldError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value, number.rounded() == number, abs(number) < 1e15 else { throw FieldError() }
        return Int(number)
    }

    /// A non-negative integer; protobuf's JSON mapping also writes 64-bit numbers as strings.
    func uint(_ key: String) throws(FieldError) -> UInt64? {
        guard let value = value(key) else { return nil }
        switch value {
        case .number(let number) where number >= 0 && number < 9.0e15 && number.rounded() == number: return UInt64(number)
        case .string(let text): if let number = UInt64(text) { return number }
        default: break
        }
        throw FieldError()
    }

    func object(_ key: String) throws(FieldError) -> [String: JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .object(let object) = value else { throw FieldError() }
        return object
    }
}
