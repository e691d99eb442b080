/// What an append decided on the writer thread comes to.
public enum Decision: Sendable {
    /// Append these entries (atomically, as ``EventLog/append(_:expecting:)`` does).
    case append([NewEntry])
    /// The request was done before: these are the entries it appended then.
    case alreadyAppended([LogEntry])
    /// Nothing to append (the request changes nothing).
    case nothing
}

/// What a decision may consult on the writer thread: the group's time, and
/// earlier appends by idempotency key (including ones in the same group that
/// are not yet durable: they will be, or the whole group fails).
public struct DecisionContext {
    /// Milliseconds since 1970; the time every entry of this group gets.
    public let timestamp: UInt64
    let lookup: (IdempotencyKey) throws(LogError) -> [LogEntry]?

    /// Every entry of the earlier append in which an entry carried `key`, or nil.
    public func originalAppend(account: UInt64, key: String) throws(LogError) -> [LogEntry]? {
        try lookup(IdempotencyKey(account: account, key: key))
    }
}

/// The outcome of a decided append, answered after the fsync that makes it durable.
public struct DecidedAppend: Sendable, Hashable {
    /// The entries as stored: appended now, or the originals of a retried request.
    public var entries: [LogEntry]
    /// True when ``entries`` are the originals of a retried request.
    public var deduplicated: Bool

    public init(entries: [LogEntry], deduplicated: Bool) {
        self.entries = entries
        self.deduplicated = deduplicated
    }
}
