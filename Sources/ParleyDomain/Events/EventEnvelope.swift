import Foundation

/// An event as clients, webhooks and exports see it: the log's positions and
/// time around the domain's payload. Its JSON is what `Schemas/events/*.json`
/// describe and what a Centrifugo publication's `data` carries.
public struct EventEnvelope: Sendable, Hashable, Encodable {
    public struct Membership: Sendable, Hashable, Encodable {
        public var stream: String
        /// The event's sequence in the stream; nil for ephemeral events.
        public var seq: UInt64?

        public init(stream: String, seq: UInt64?) {
            self.stream = stream
            self.seq = seq
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(stream, forKey: .stream)
            try container.encode(seq, forKey: .seq)
        }

        enum CodingKeys: String, CodingKey {
            case stream, seq
        }
    }

    public var offset: UInt64
    /// Stable for the event: derived from the log's epoch and the offset.
    public var id: String
    public var type: String
    public var version: Int
    public var accountID: UInt64
    public var streams: [Membership]
    public var actor: Actor
    /// Milliseconds since 1970, assigned by the writer.
    public var occurredAt: UInt64
    public var idempotencyKey: String?
    public var correlationID: String?
    public var body: EventBody

    public init(
        offset: UInt64, epoch: String, event: DomainEvent, streams: [Membership], occurredAt: UInt64,
        idempotencyKey: String?, correlationID: String? = nil
    ) {
        self.offset = offset
        self.id = Self.id(epoch: epoch, offset: offset)
        self.type = event.type
        self.version = event.body.version
        self.accountID = event.accountID
        self.streams = streams
        self.actor = event.actor
        self.occurredAt = occurredAt
        self.idempotencyKey = idempotencyKey
        self.correlationID = correlationID
        self.body = event.body
    }

    /// A UUID-shaped id made of the epoch (its first 16 hex digits) and the
    /// offset, so it needs no storage and is the same every time the event
    /// is read. Written byte by byte: every envelope the server splices and
    /// every record `parleyctl export-audit` hashes carries one.
    public static func id(epoch: String, offset: UInt64) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { out in
            var hex = (0..<32).map { _ in UInt8(ascii: "0") }
            var filled = 0
            for byte in epoch.utf8 where filled < 16 && isHexDigit(byte) {
                hex[filled] = byte
                filled += 1
            }
            for index in 0..<16 { hex[31 - index] = digits.utf8Start[Int((offset >> (4 * UInt64(index))) & 0xf)] }
            var count = 0
            for (index, byte) in hex.enumerated() {
                if index == 8 || index == 12 || index == 16 || index == 20 {
                    out[count] = UInt8(ascii: "-")
                    count += 1
                }
                out[count] = byte
                count += 1
            }
            return count
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    enum CodingKeys: String, CodingKey {
        case offset, id, type, version, accountID, streams, actor, occurredAt, idempotencyKey, correlationID, payload
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(offset, forKey: .offset)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(version, forKey: .version)
        try container.encode(accountID, forKey: .accountID)
        try container.encode(streams, forKey: .streams)
        try container.encode(actor, forKey: .actor)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(idempotencyKey, forKey: .idempotencyKey)
        try container.encode(correlationID, forKey: .correlationID)
        try body.payload.encode(to: container.superEncoder(forKey: .payload))
    }
}
