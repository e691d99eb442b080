import Foundation
import ParleyDomain
import ParleyLog

/// A domain event with the position and time the log gave it.
public struct StoredEvent: Sendable, Hashable {
    public var entry: LogEntry
    public var event: DomainEvent

    public init(entry: LogEntry, event: DomainEvent) {
        self.entry = entry
        self.event = event
    }

    /// Decodes the domain event a log entry holds (``EventCodec/decode(type:accountID:streams:ephemeral:bytes:)``).
    public init(_ entry: LogEntry) throws {
        self.entry = entry
        self.event = try EventCodec.decode(
            type: entry.type, accountID: entry.accountID, streams: entry.streams.map(\.stream),
            ephemeral: entry.retention == .ephemeral, bytes: entry.payload)
    }

    /// Decodes the domain event a log entry holds with Foundation's decoder;
    /// the same event as ``init(_:)``, more slowly.
    public init(_ entry: LogEntry, decoder: JSONDecoder) throws {
        self.entry = entry
        self.event = try EventCodec.decode(
            type: entry.type, accountID: entry.accountID, streams: entry.streams.map(\.stream),
            ephemeral: entry.retention == .ephemeral, bytes: entry.payload, with: decoder)
    }

    /// The event as clients see it.
    public func envelope(epoch: String) -> EventEnvelope {
        EventEnvelope(
            offset: entry.offset, epoch: epoch, event: event,
            streams: entry.streams.map { .init(stream: $0.stream, seq: $0.seq) }, occurredAt: entry.timestamp,
            idempotencyKey: entry.idempotencyKey)
    }
}
