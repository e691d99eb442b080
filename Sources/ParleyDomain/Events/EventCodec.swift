import Foundation
import Synchronization

/// The stored form of an event's body: JSON with snake_case keys,
/// `{"actor":{…},"version":1,"payload":{…}}`. Type, account, streams and
/// idempotency key live in the log entry itself.
public enum EventCodec {
    public enum Failure: Error, Hashable {
        case unknownType(String)
        case unsupportedVersion(type: String, version: Int)
    }

    private struct Stored<Payload: Encodable>: Encodable {
        var actor: Actor
        var version: Int
        var payload: Payload
    }

    private struct Header: Decodable {
        var actor: Actor
        var version: Int
    }

    private struct PayloadOnly<Payload: Decodable>: Decodable {
        var payload: Payload
    }

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in SnakeKey(camel: path.last!.stringValue) }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in CamelKey.cached(snake: path.last!.stringValue) }
        return decoder
    }

    /// The bytes stored in the log for `event`.
    public static func encode(_ event: DomainEvent) throws -> [UInt8] {
        if case .messageCreated(let message) = event.body, let bytes = MessageCreatedWriter.write(message, actor: event.actor) {
            return bytes
        }
        return try encode(event.body.payload, actor: event.actor)
    }

    /// `payload` through ``EventJSONWriter``, the general way.
    static func encode<P: EventPayload>(_ payload: P, actor: Actor) throws -> [UInt8] {
        try EventJSONWriter.encode(Stored(actor: actor, version: P.version, payload: payload))
    }

    /// The payload alone as JSON, as webhooks and APIs show it.
    public static func payloadJSON(_ body: EventBody, with encoder: JSONEncoder) throws -> Data {
        try encoder.encode(body.payload)
    }

    /// Rebuilds an event from what the log stored, with Foundation's decoder.
    public static func decode(
        type: String, accountID: UInt64, streams: [String], ephemeral: Bool, bytes: [UInt8], with decoder: JSONDecoder
    ) throws -> DomainEvent {
        let data = Data(bytes)
        return try decode(
            type: type, accountID: accountID, streams: streams, ephemeral: ephemeral,
            header: { try decoder.decode(Header.self, from: data) }, source: FoundationPayloads(decoder: decoder, data: data))
    }

    /// Rebuilds an event from what the log stored, as the decoder above
    /// does, reading the bytes where they lie (``EventJSONReader``): several
    /// times faster, for folding the whole log.
    public static func decode(type: String, accountID: UInt64, streams: [String], ephemeral: Bool, bytes: [UInt8]) throws
        -> DomainEvent
    {
        if type == MessageCreated.type, let read = MessageCreatedReader.read(bytes) {
            return DomainEvent(
                accountID: accountID, actor: read.actor, streams: streams, ephemeral: ephemeral,
                body: .messageCreated(read.payload))
        }
        return try decode(
            type: type, accountID: accountID, streams: streams, ephemeral: ephemeral,
            header: { try EventJSONReader.decode(Header.self, from: bytes) }, source: ReaderPayloads(bytes: bytes))
    }

    private static func decode(
        type: String, accountID: UInt64, streams: [String], ephemeral: Bool, header: () throws -> Header,
        source: some PayloadSource
    ) throws -> DomainEvent {
        let header = try header()
        guard let version = versions[type] else { throw Failure.unknownType(type) }
        // Before the payload: another version usually has another shape.
        guard header.version == version else { throw Failure.unsupportedVersion(type: type, version: header.version) }
        let body = try EventBody.decode(type: type, from: source)
        return DomainEvent(accountID: accountID, actor: header.actor, streams: streams, ephemeral: ephemeral, body: body)
    }

    /// Each known type's payload version, by type name.
    private static let versions = Dictionary(uniqueKeysWithValues: EventBody.payloadTypes.map { ($0.type, $0.version) })

    /// `{"payload": …}` through Foundation's decoder.
    private struct FoundationPayloads: PayloadSource {
        var decoder: JSONDecoder
        var data: Data

        func payload<P: EventPayload>(_ type: P.Type) throws -> P {
            try decoder.decode(PayloadOnly<P>.self, from: data).payload
        }
    }

    /// `{"payload": …}` through ``EventJSONReader``.
    private struct ReaderPayloads: PayloadSource {
        var bytes: [UInt8]

        func payload<P: EventPayload>(_ type: P.Type) throws -> P {
            try EventJSONReader.decode(PayloadOnly<P>.self, from: bytes).payload
        }
    }
}

/// Where ``EventBody`` decodes one type's payload from.
protocol PayloadSource {
    func payload<P: EventPayload>(_ type: P.Type) throws -> P
}

/// Maps a camelCase property name to its snake_case key, reading `ID` and
/// `IDs` as words (`userIDs` → `user_ids`, `echoID` → `echo_id`).
struct SnakeKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(camel: String) {
        let words = camel.replacingOccurrences(of: "IDs", with: "Ids").replacingOccurrences(of: "ID", with: "Id")
        var result = ""
        for character in words {
            if character.isUppercase {
                if !result.isEmpty { result += "_" }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        stringValue = result
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}

/// Maps a snake_case key to the camelCase property it was encoded from,
/// spelling `id` segments `ID` as Swift names do (`inbox_id` → `inboxID`).
struct CamelKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    private static let known = Mutex<[String: CamelKey]>([:])

    /// The key for `snake`, converted once per process.
    static func cached(snake: String) -> CamelKey {
        if let key = known.withLock({ $0[snake] }) { return key }
        let key = CamelKey(snake: snake)
        known.withLock { $0[snake] = key }
        return key
    }

    init(snake: String) {
        var result = ""
        for (index, part) in snake.split(separator: "_", omittingEmptySubsequences: false).enumerated() {
            if index == 0 {
                result += part
            } else if part == "id" || part == "ids" {
                result += part == "id" ? "ID" : "IDs"
            } else {
                result += part.prefix(1).uppercased() + part.dropFirst()
            }
        }
        stringValue = result
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}
