import Foundation
@testable import ParleyDomain
import Testing

/// The fast decode path reads every stored event exactly as Foundation's
/// decoder does.
@Suite struct EventJSONReaderTests {
    private func decodeBothWays(_ bytes: [UInt8], as event: DomainEvent) throws -> (fast: DomainEvent, foundation: DomainEvent) {
        (
            try EventCodec.decode(type: event.type, accountID: event.accountID, streams: event.streams, ephemeral: event.ephemeral, bytes: bytes),
            try EventCodec.decode(
                type: event.type, accountID: event.accountID, streams: event.streams, ephemeral: event.ephemeral, bytes: bytes,
                with: EventCodec.decoder())
        )
    }

    @Test func everySampleDecodesAsFoundationDecodesIt() throws {
        for event in SampleEvents.all {
            let decoded = try decodeBothWays(try EventCodec.encode(event), as: event)
            #expect(decoded.fast == event, "\(event.type)")
            #expect(decoded.foundation == event, "\(event.type)")
        }
    }

    @Test func whitespaceEscapesMemberOrderAndNullsReadAlike() throws {
        let event = try #require(SampleEvents.all.first { $0.type == "message.created" })
        // The same event written by hand: members reordered, spaces, escapes, explicit nulls.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try EventCodec.encode(event))) as? [String: Any])
        let reordered = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
        let decoded = try decodeBothWays(Array(reordered), as: event)
        #expect(decoded.fast == decoded.foundation)
        #expect(decoded.fast == event)
        let escaped = Array(#"{ "version" : 1 , "actor":{"type":"agent","id":7},"payload":{"conversation_id":5,"is_private":false,"extra":[1,{"a":null}],"unknown":"\u00e9\"\\"}}"#.utf8)
        let typing = DomainEvent(accountID: 1, actor: .agent(7), streams: [], ephemeral: true, body: .typingOn(TypingOn(conversationID: 5, isPrivate: false)))
        let both = try decodeBothWays(escaped, as: typing)
        #expect(both.fast == both.foundation)
        #expect(both.fast == typing)
    }

    @Test func malformedOrMistypedJSONIsRefusedByBoth() throws {
        let typing = DomainEvent(accountID: 1, actor: .agent(7), streams: [], ephemeral: true, body: .typingOn(TypingOn(conversationID: 5, isPrivate: false)))
        let bad = [
            #"{"version":1,"actor":{"type":"agent","id":7},"payload":{"conversation_id":5,"is_private":false}"#,
            #"{"version":1,"actor":{"type":"agent","id":7},"payload":{"conversation_id":"5","is_private":false}}"#,
            #"{"version":1,"actor":{"type":"agent","id":7},"payload":{"conversation_id":-5,"is_private":false}}"#,
            #"{"version":1,"actor":{"type":"agent","id":7},"payload":{"is_private":false}}"#,
            #"{"version":1,"actor":{"type":"robot","id":7},"payload":{"conversation_id":5,"is_private":false}}"#,
            #"{"version":1,"actor":{"type":"agent","id":7},"payload":{"conversation_id":5,"is_private":null}}"#,
            #"[1,2]"#,
        ]
        for text in bad {
            #expect(throws: (any Error).self, "\(text)") {
                try EventCodec.decode(type: typing.type, accountID: 1, streams: [], ephemeral: true, bytes: Array(text.utf8))
            }
            #expect(throws: (any Error).self, "\(text)") {
                try EventCodec.decode(type: typing.type, accountID: 1, streams: [], ephemeral: true, bytes: Array(text.utf8), with: EventCodec.decoder())
            }
        }
    }
}
