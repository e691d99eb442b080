/// How long an entry is kept.
public enum Retention: UInt8, Sendable, Hashable, Codable {
    /// Kept forever, with a sequence number in each of its streams.
    case durable = 0
    /// Delivered to live tails, never given a stream sequence, pruned after
    /// ``LogOptions/ephemeralRetention`` (typing indicators).
    case ephemeral = 1
}

/// An entry to append: what the caller knows before the writer assigns positions.
public struct NewEntry: Sendable, Hashable {
    /// The event type, such as `message.created`.
    public var type: String
    /// The tenant the entry belongs to; never zero.
    public var accountID: UInt64
    /// Names of the streams the entry belongs to (see ``StreamName``).
    public var streams: [String]
    public var retention: Retention
    /// A caller-chosen key, scoped by account, that makes a retried append safe.
    public var idempotencyKey: String?
    /// The account the key is scoped by, when it is not the entry's own (an
    /// entry that creates an account is keyed in the scope of whoever asked).
    public var idempotencyScope: UInt64?
    public var payload: [UInt8]

    /// The account the idempotency key is scoped by.
    var keyScope: UInt64 { idempotencyScope ?? accountID }

    public init(
        type: String,
        accountID: UInt64,
        streams: [String],
        retention: Retention = .durable,
        idempotencyKey: String? = nil,
        idempotencyScope: UInt64? = nil,
        payload: [UInt8]
    ) {
        self.type = type
        self.accountID = accountID
        self.streams = streams
        self.retention = retention
        self.idempotencyKey = idempotencyKey
        self.idempotencyScope = idempotencyScope
        self.payload = payload
    }
}

/// An entry's place in one of its streams.
public struct StreamPosition: Sendable, Hashable, Codable {
    public var stream: String
    /// The sequence in that stream (from 1, contiguous), or `nil` for an ephemeral entry.
    public var seq: UInt64?

    public init(stream: String, seq: UInt64?) {
        self.stream = stream
        self.seq = seq
    }
}

/// A stored entry with the positions the writer assigned to it.
public struct LogEntry: Sendable, Hashable {
    /// The global offset: from 1, increasing; gaps appear where ephemeral entries were pruned.
    public var offset: UInt64
    /// Milliseconds since 1970, assigned by the writer, never decreasing in log order.
    public var timestamp: UInt64
    public var type: String
    public var accountID: UInt64
    public var streams: [StreamPosition]
    public var retention: Retention
    public var idempotencyKey: String?
    public var payload: [UInt8]

    public init(
        offset: UInt64, timestamp: UInt64, type: String, accountID: UInt64,
        streams: [StreamPosition], retention: Retention, idempotencyKey: String?, payload: [UInt8]
    ) {
        self.offset = offset
        self.timestamp = timestamp
        self.type = type
        self.accountID = accountID
        self.streams = streams
        self.retention = retention
        self.idempotencyKey = idempotencyKey
        self.payload = payload
    }

    /// The entry's sequence in `stream`, if it belongs to it durably.
    public func seq(in stream: String) -> UInt64? {
        streams.first { $0.stream == stream }?.seq
    }
}

/// Where one appended entry landed.
public struct AppendedEntry: Sendable, Hashable {
    public var offset: UInt64
    public var timestamp: UInt64
    public var streams: [StreamPosition]
    /// True when the idempotency key had been used before and this is the original result.
    public var deduplicated: Bool

    public init(offset: UInt64, timestamp: UInt64, streams: [StreamPosition], deduplicated: Bool) {
        self.offset = offset
        self.timestamp = timestamp
        self.streams = streams
        self.deduplicated = deduplicated
    }
}

/// The outcome of one append: one element per entry, in the order given.
public struct AppendResult: Sendable, Hashable {
    public var entries: [AppendedEntry]

    public init(entries: [AppendedEntry]) {
        self.entries = entries
    }
}

/// A stream and its last sequence.
public struct StreamHead: Sendable, Hashable {
    public var stream: String
    public var seq: UInt64

    public init(stream: String, seq: UInt64) {
        self.stream = stream
        self.seq = seq
    }
}
