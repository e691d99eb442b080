import EventSchemaCheck
import Foundation
import ParleyDomain
import Testing

/// The published envelope: its id and the shape of its JSON.
@Suite struct EventEnvelopeTests {
    static let epoch = "0123456789abcdef"

    /// 8-4-4-4-12 lowercase hex digits.
    static func isUUIDShaped(_ id: String) -> Bool {
        id.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil
    }

    @Test func idIsStableForEpochAndOffset() throws {
        let event = try #require(SampleEvents.all.first)
        let first = EventEnvelope(
            offset: 42, epoch: Self.epoch, event: event, streams: [], occurredAt: 1, idempotencyKey: nil)
        let second = EventEnvelope(
            offset: 42, epoch: Self.epoch, event: try #require(SampleEvents.all.last), streams: [], occurredAt: 99,
            idempotencyKey: "k")
        #expect(first.id == second.id)
        #expect(first.id == EventEnvelope.id(epoch: Self.epoch, offset: 42))
        #expect(first.id == "01234567-89ab-cdef-0000-00000000002a")
    }

    @Test(arguments: [UInt64(1), 42, 0xffff_ffff, 9_007_199_254_740_993, .max])
    func idIsUUIDShaped(_ offset: UInt64) {
        for epoch in [Self.epoch, "00000000000000000000000000000001", "9a8b7c6d5e4f3a2b1c0d", "a1b2"] {
            let id = EventEnvelope.id(epoch: epoch, offset: offset)
            #expect(id.count == 36)
            #expect(Self.isUUIDShaped(id), "\(id) from epoch \(epoch), offset \(offset)")
        }
    }

    @Test func idDiffersByOffset() {
        let offsets: [UInt64] = Array(1...2000) + [0xffff_ffff, 0x1_0000_0000, .max - 1, .max]
        let ids = Set(offsets.map { EventEnvelope.id(epoch: Self.epoch, offset: $0) })
        #expect(ids.count == offsets.count)
        #expect(EventEnvelope.id(epoch: Self.epoch, offset: 0x10) != EventEnvelope.id(epoch: Self.epoch, offset: 0x100))
    }

    @Test func idDiffersByEpoch() {
        #expect(
            EventEnvelope.id(epoch: "0123456789abcdef", offset: 7) != EventEnvelope.id(epoch: "fedcba9876543210", offset: 7))
    }

    static func json(_ envelope: EventEnvelope) throws -> [String: JSONValue] {
        let value = try JSONDecoder().decode(JSONValue.self, from: EventCodec.encoder().encode(envelope))
        guard case .object(let object) = value else { return [:] }
        return object
    }

    @Test func ephemeralEventsRenderNullSeq() throws {
        let typing = try #require(SampleEvents.all.first { $0.ephemeral && $0.type.hasPrefix("conversation.typing_") })
        let rendered = try EventSchemas.envelopeJSON(of: typing)
        guard case .object(let object) = rendered, case .array(let streams) = object["streams"] else {
            Issue.record("no streams in \(rendered)")
            return
        }
        #expect(streams.count == typing.streams.count)
        for (membership, name) in zip(streams, typing.streams) {
            #expect(membership == .object(["stream": .string(name), "seq": .null]))
        }

        // The key is written even when nil, not omitted.
        let direct = try Self.json(
            EventEnvelope(
                offset: 3, epoch: Self.epoch, event: typing, streams: [.init(stream: "account:42", seq: nil)],
                occurredAt: 5, idempotencyKey: nil))
        #expect(direct["streams"] == .array([.object(["stream": .string("account:42"), "seq": .null])]))
    }

    @Test func durableEventsRenderTheirSeq() throws {
        let durable = try #require(SampleEvents.all.first { !$0.ephemeral })
        let object = try Self.json(
            EventEnvelope(
                offset: 3, epoch: Self.epoch, event: durable,
                streams: [.init(stream: "account:42", seq: 12), .init(stream: "audit:42", seq: 1)], occurredAt: 5,
                idempotencyKey: nil))
        #expect(
            object["streams"]
                == .array([
                    .object(["stream": .string("account:42"), "seq": .number(12)]),
                    .object(["stream": .string("audit:42"), "seq": .number(1)]),
                ]))
    }

    @Test func envelopeKeysAndValues() throws {
        let event = try #require(SampleEvents.all.first { $0.type == "message.deleted" })
        let object = try Self.json(
            EventEnvelope(
                offset: 77, epoch: Self.epoch, event: event, streams: [.init(stream: "account:42", seq: 2)],
                occurredAt: 1_700_000_000_001, idempotencyKey: nil, correlationID: "corr-1"))
        #expect(
            Set(object.keys) == [
                "offset", "id", "type", "version", "account_id", "streams", "actor", "occurred_at", "idempotency_key",
                "correlation_id", "payload",
            ])
        #expect(object["offset"] == .number(77))
        #expect(object["id"] == .string(EventEnvelope.id(epoch: Self.epoch, offset: 77)))
        #expect(object["type"] == .string("message.deleted"))
        #expect(object["version"] == .number(1))
        #expect(object["account_id"] == .number(42))
        #expect(object["actor"] == .object(["type": .string("agent"), "id": .number(7)]))
        #expect(object["occurred_at"] == .number(1_700_000_000_001))
        #expect(object["idempotency_key"] == .null)
        #expect(object["correlation_id"] == .string("corr-1"))
        #expect(object["payload"] == .object(["message_id": .number(19), "conversation_id": .number(5)]))
    }
}
