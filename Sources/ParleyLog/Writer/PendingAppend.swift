/// One append waiting for the writer, with the caller to answer once its group is durable.
struct PendingAppend {
    enum Source {
        /// Entries built by the caller.
        case entries([NewEntry])
        /// Entries decided on the writer thread against current state.
        case decide(@Sendable (DecisionContext) throws -> Decision)
    }

    /// How the caller wants its answer.
    enum Reply {
        case result(CheckedContinuation<AppendResult, any Error>)
        case decided(CheckedContinuation<DecidedAppend, any Error>)

        func resume(with outcome: Result<Staged, any Error>) {
            switch self {
            case .result(let continuation):
                continuation.resume(with: outcome.map(\.result))
            case .decided(let continuation):
                continuation.resume(with: outcome.map { DecidedAppend(entries: $0.entries, deduplicated: $0.deduplicated) })
            }
        }
    }

    var source: Source
    var expectations: [String: UInt64]
    var reply: Reply

    /// Entries it counts for when sizing a group (a decision counts as one).
    var weight: Int {
        if case .entries(let entries) = source { return entries.count }
        return 1
    }
}

/// What staging one append produced.
struct Staged {
    var result: AppendResult
    /// The entries as stored, for decided appends.
    var entries: [LogEntry]
    var deduplicated: Bool
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

/// What an idempotency key remembers: its entry's result, and where that
/// entry sat among the entries its append wrote (which have consecutive offsets).
struct IdempotencyRecord {
    var entry: AppendedEntry
    var position: Int
    var count: Int

    /// The offsets of every entry the append wrote.
    var appendOffsets: ClosedRange<UInt64> {
        let first = entry.offset - UInt64(position)
        return first...(first + UInt64(count) - 1)
    }
}
