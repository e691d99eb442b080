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

    /// ``MessageCreatedWriter`` writes plain messages byte for byte as the
    /// general encoder does, and leaves every other shape to it.
    @Test func theMessageWriterWritesWhatTheGeneralEncoderWrites() throws {
        var messages = SampleEvents.all.filter { $0.type == MessageCreated.type }
        let contents = ["", "plain", "quote \" slash \\ newline \n tab \t 🦊 \u{01} é /"]
        for (index, content) in contents.enumerated() {
            for type in [MessageType.incoming, .outgoing, .activity, .template] {
                let actors: [Actor] = [.agent(7), .contact(UInt64.max), .bot(0), .system]
                let actor = actors[(index + type.rawValue) % actors.count]
                messages.append(
                    DomainEvent(
                        accountID: 1, actor: actor, streams: ["conversation:1:2"],
                        body: .messageCreated(
                            MessageCreated(
                                messageID: UInt64(index * 10 + type.rawValue), conversationID: 1 << 40, messageType: type,
                                content: content, contentType: index == 2 ? "input_select" : "text", contentAttributes: [:],
                                private: type == .outgoing, sender: type == .activity ? nil : actor, attachments: [],
                                echoID: index == 1 ? nil : "echo-\(content)"))))
            }
        }
        var plain = 0
        for event in messages {
            guard case .messageCreated(let payload) = event.body else { continue }
            let general = try EventCodec.encode(payload, actor: event.actor)
            #expect(try EventCodec.encode(event) == general)
            if payload.contentAttributes.isEmpty && payload.attachments.isEmpty {
                plain += 1
                #expect(MessageCreatedWriter.write(payload, actor: event.actor) == general)
            } else {
                #expect(MessageCreatedWriter.write(payload, actor: event.actor) == nil)
            }
        }
        #expect(plain >= 12)
        #expect(messages.count > plain)

        // The writer names every property itself: one added to the payload or
        // the actor must be added there too, or plain messages would drop it.
        let message = try #require(messages.compactMap { event -> MessageCreated? in
            if case .messageCreated(let payload) = event.body { return payload }
            return nil
        }.first)
        #expect(Mirror(reflecting: message).children.map(\.label) == [
            "messageID", "conversationID", "messageType", "content", "contentType", "contentAttributes", "private", "sender",
            "attachments", "echoID",
        ])
        #expect(Mirror(reflecting: Actor.agent(1)).children.map(\.label) == ["type", "id"])
    }

    /// `message.created` with no attributes and no attachments is read by
    /// ``MessageCreatedReader``; every other shape falls back, and both ways
    /// give what Foundation gives.
    @Test func theMessageReaderTakesPlainMessagesAndLeavesTheRest() throws {
        let messages = SampleEvents.all.filter { $0.type == MessageCreated.type }
        var plain = 0
        for event in messages {
            guard case .messageCreated(let payload) = event.body else { continue }
            let bytes = try EventCodec.encode(event)
            let read = MessageCreatedReader.read(bytes)
            if payload.contentAttributes.isEmpty && payload.attachments.isEmpty {
                plain += 1
                #expect(read?.payload == payload)
                #expect(read?.actor == event.actor)
            } else {
                #expect(read == nil)
            }
            let decoded = try decodeBothWays(bytes, as: event)
            #expect(decoded.fast == decoded.foundation)
        }
        #expect(plain >= 2)

        let tricky = DomainEvent(
            accountID: 1, actor: .contact(4), streams: ["conversation:1:2"],
            body: .messageCreated(
                MessageCreated(
                    messageID: 7, conversationID: 2, messageType: .incoming, content: "quote \" slash \\ newline \n 🦊 \u{01}",
                    contentType: "text", contentAttributes: [:], private: false, sender: .contact(4), attachments: [],
                    echoID: "e-\"1\"")))
        let bytes = try EventCodec.encode(tricky)
        #expect(MessageCreatedReader.read(bytes)?.payload == tricky.body.payload as? MessageCreated)
        #expect(try decodeBothWays(bytes, as: tricky).fast == tricky)

        // Another version, an unknown member or a sender of another shape: not this reader's.
        var object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        object["version"] = 2
        #expect(MessageCreatedReader.read(Array(try JSONSerialization.data(withJSONObject: object))) == nil)
        object["version"] = 1
        object["extra"] = true
        #expect(MessageCreatedReader.read(Array(try JSONSerialization.data(withJSONObject: object))) == nil)
        object["extra"] = nil
        var payload = try #require(object["payload"] as? [String: Any])
        payload["sender"] = ["type": "contact", "id": 4, "name": "x"]
        object["payload"] = payload
        #expect(MessageCreatedReader.read(Array(try JSONSerialization.data(withJSONObject: object))) == nil)
        payload["sender"] = NSNull()
        object["payload"] = payload
        #expect(MessageCreatedReader.read(Array(try JSONSerialization.data(withJSONObject: object)))?.payload.sender == nil)
        #expect(MessageCreatedReader.read(Array(try JSONSerialization.data(withJSONObject: object)))?.payload.messageID == 7)
    }
}
