/// One append waiting for the writer, with the caller to answer once its group is durable.
struct PendingAppend {
    var entries: [NewEntry]
    var expectations: [String: UInt64]
    var continuation: CheckedContinuation<AppendResult, any Error>
}

/// What one pruning pass removed.
public struct PruneReport: Sendable, Hashable {
    /// Ephemeral entries deleted from the log.
    public var ephemeralEntries: Int
    /// Idempotency keys past their window.
    public var idempotencyKeys: Int

    public init(ephemeralEntries: Int = 0, idempotencyKeys: Int = 0) {
        self.ephemeralEntries = ephemeralEntries
        self.idempotencyKeys = idempotencyKeys
    }
}

/// An account-scoped idempotency key.
struct IdempotencyKey: Hashable {
    var account: UInt64
    var key: String
}
