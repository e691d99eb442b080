import Foundation
import ParleyDomain
import Synchronization

/// Validates events against `Schemas/events/<type>.v<version>.json`, as they
/// are published: the envelope around the payload. Shared by the test targets.
public enum EventSchemas {
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schemas/events")

    public static func file(for type: String, version: Int) -> String { "\(type).v\(version).json" }

    /// The envelope JSON of `event` as if it were appended at `offset`.
    public static func envelopeJSON(of event: DomainEvent, offset: UInt64 = 1, key: String? = nil) throws -> JSONValue {
        let envelope = EventEnvelope(
            offset: offset, epoch: "0123456789abcdef", event: event,
            streams: event.streams.map { .init(stream: $0, seq: event.ephemeral ? nil : 1) },
            occurredAt: 1_700_000_000_000, idempotencyKey: key)
        let data = try EventCodec.encoder().encode(envelope)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// One validator for every check, so each schema file is read and parsed once.
    private static let shared = Mutex(SchemaValidator(directory: directory))

    static func violations(of instance: JSONValue, against file: String) throws -> [String] {
        try shared.withLock { try $0.violations(of: instance, against: file) }
    }

    /// The schema violations of `event`; empty when it conforms.
    public static func violations(of event: DomainEvent) throws -> [String] {
        try violations(of: try envelopeJSON(of: event), against: file(for: event.type, version: event.body.version))
    }
}

extension EventSchemas {
    /// The schema violations of an envelope as the log stored and rendered it.
    public static func violations(of envelope: EventEnvelope) throws -> [String] {
        let data = try EventCodec.encoder().encode(envelope)
        return try violations(
            of: try JSONDecoder().decode(JSONValue.self, from: data), against: file(for: envelope.type, version: envelope.version))
    }
}
