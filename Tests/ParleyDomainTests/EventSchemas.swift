import Foundation
import ParleyDomain

/// Validates events against `Schemas/events/<type>.v<version>.json`, as they
/// would be published: the envelope around the payload.
enum EventSchemas {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schemas/events")

    static func file(for type: String, version: Int) -> String { "\(type).v\(version).json" }

    /// The envelope JSON of `event` as if it were appended at `offset`.
    static func envelopeJSON(of event: DomainEvent, offset: UInt64 = 1, key: String? = nil) throws -> JSONValue {
        let envelope = EventEnvelope(
            offset: offset, epoch: "0123456789abcdef", event: event,
            streams: event.streams.map { .init(stream: $0, seq: event.ephemeral ? nil : 1) },
            occurredAt: 1_700_000_000_000, idempotencyKey: key)
        let data = try EventCodec.encoder().encode(envelope)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The schema violations of `event`; empty when it conforms.
    static func violations(of event: DomainEvent) throws -> [String] {
        var validator = SchemaValidator(directory: directory)
        return try validator.violations(
            of: try envelopeJSON(of: event), against: file(for: event.type, version: event.body.version))
    }
}
