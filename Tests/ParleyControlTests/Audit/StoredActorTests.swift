import Foundation
import ParleyDomain
import Testing

@testable import ParleyControl

/// The export reads actors straight from stored bytes; it must read what
/// decoding the event reads, and step aside for any other layout.
@Suite("Stored actor")
struct StoredActorTests {
    @Test(
        "reads the actor EventCodec wrote",
        arguments: [Actor.system, .agent(1), .contact(42), .bot(7), .agent(UInt64.max)])
    func readsEncodedActor(_ actor: Actor) throws {
        let stored = #"{"actor":{"type":"system","id":0},"version":1,"payload":{"name":"Acme","locale":"en"}}"#
        var event = try EventCodec.decode(
            type: "account.created", accountID: 1, streams: ["account:1"], ephemeral: false, bytes: Array(stored.utf8),
            with: EventCodec.decoder())
        event.actor = actor
        let bytes = try EventCodec.encode(event)
        #expect(StoredActor.read(bytes) == actor)
        let decoded = try EventCodec.decode(
            type: event.type, accountID: 1, streams: event.streams, ephemeral: false, bytes: bytes, with: EventCodec.decoder())
        #expect(decoded.actor == actor)
    }

    @Test(
        "leaves any other layout to the decoder",
        arguments: [
            #"{"actor":{"id":1,"type":"agent"},"version":1,"payload":{}}"#, #"{"actor":{"type":"robot","id":1},"version":1}"#,
            #"{"actor":{"type":"agent","id":},"version":1}"#, #"{"actor":{"type":"agent","id":99999999999999999999}}"#,
            #"{"actor":{"type":"agent","id":1"#,
        ])
    func refusesOtherLayouts(_ text: String) {
        #expect(StoredActor.read(Array(text.utf8)) == nil)
    }
}
