import ParleyDomain
import ParleyLog

/// A webhook's configuration as its worker runs it.
struct WebhookTarget: Sendable, Equatable {
    var id: UInt64
    var accountID: UInt64
    var url: String
    var subscriptions: Set<String>
    var secret: String
    /// An API inbox's callback is sent that inbox's events only; nil: the whole account's.
    var inboxID: UInt64?

    /// Whether `entry` can be for this webhook, decided before it is
    /// rendered: it is the account's and, for an inbox's callback, on that
    /// inbox's stream (every conversation event is), so a callback far
    /// behind does not render the rest of the account's history.
    func mayReceive(_ entry: LogEntry) -> Bool {
        guard entry.accountID == accountID else { return false }
        guard let inboxID else { return true }
        let stream = StreamNames.inbox(accountID, inboxID)
        return entry.streams.contains { $0.stream == stream }
    }
}

/// What a webhook's worker has done and is doing, shared with the status
/// API and the cursor flush.
///
/// The cursor is the offset up to which every event was delivered (or is
/// not for this webhook): deliveries run several at a time and finish out of
/// order, so it moves only past a contiguous run of finished ones, and a
/// restart resumes after it, repeating at most what was in flight.
struct WebhookProgress: Sendable {
    var cursor: UInt64
    /// The newest offset the worker has read from the log.
    var read: UInt64
    /// Deliveries under way: offset → the conversation or contact key they hold.
    var inFlight: [UInt64: UInt64] = [:]
    /// Deliveries waiting to be retried: offset → when, milliseconds since 1970.
    var retryAt: [UInt64: UInt64] = [:]
    var delivered: UInt64 = 0
    var failures: UInt64 = 0
    var retries: UInt64 = 0
    var lastError: String?
    var lastErrorAt: UInt64?
    var lastDeliveredAt: UInt64?
    /// A delivery failed past the retry age: the worker starts nothing more.
    var gaveUp = false

    init(cursor: UInt64) {
        self.cursor = cursor
        self.read = cursor
    }

    var nextRetryAt: UInt64? { retryAt.values.min() }

    /// An entry with nothing to send to this webhook.
    mutating func passed(_ offset: UInt64) {
        read = offset
        if inFlight.isEmpty { cursor = offset }
    }

    mutating func started(_ offset: UInt64, key: UInt64) {
        read = offset
        inFlight[offset] = key
    }

    func holds(_ key: UInt64) -> Bool {
        inFlight.values.contains(key)
    }

    mutating func failed(_ offset: UInt64, reason: String, at now: UInt64, retryAt next: UInt64?) {
        failures += 1
        lastError = reason
        lastErrorAt = now
        retryAt[offset] = next
    }

    mutating func delivered(_ offset: UInt64, at now: UInt64) {
        delivered += 1
        lastDeliveredAt = now
        inFlight[offset] = nil
        retryAt[offset] = nil
        cursor = inFlight.keys.min().map { $0 - 1 } ?? read
    }
}
