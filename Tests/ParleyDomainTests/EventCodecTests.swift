import Foundation
import ParleyDomain
import Testing

/// The stored form of events: `EventCodec.encode` then `EventCodec.decode`
/// gives back the same event, with snake_case keys on disk.
@Suite struct EventCodecTests {
    private func stored(_ event: DomainEvent) throws -> [UInt8] {
        try EventCodec.encode(event)
    }

    private func json(_ bytes: [UInt8]) throws -> [String: JSONValue] {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        guard case .object(let object) = value else {
            Issue.record("stored JSON is not an object: \(value)")
            return [:]
        }
        return object
    }

    private func payload(_ event: DomainEvent) throws -> [String: JSONValue] {
        let object = try json(try stored(event))
        guard case .object(let payload) = try #require(object["payload"]) else {
            Issue.record("payload is not an object")
            return [:]
        }
        return payload
    }

    private func decode(_ bytes: [UInt8], as event: DomainEvent, type: String? = nil) throws -> DomainEvent {
        try EventCodec.decode(
            type: type ?? event.type, accountID: event.accountID, streams: event.streams, ephemeral: event.ephemeral,
            bytes: bytes, with: EventCodec.decoder())
    }

    private func sample(_ type: String, where matches: (DomainEvent) -> Bool = { _ in true }) throws -> DomainEvent {
        try #require(SampleEvents.all.first { $0.type == type && matches($0) })
    }

    @Test func samplesCoverEveryPayloadType() {
        let covered = Set(SampleEvents.all.map(\.type))
        let all = Set(EventBody.payloadTypes.map { $0.type })
        #expect(all.count == EventBody.payloadTypes.count, "payload types must be unique")
        #expect(all.subtracting(covered).isEmpty, "types without a sample: \(all.subtracting(covered).sorted())")
        #expect(covered.subtracting(all).isEmpty)
    }

    /// Whether `event` holds an `Attachment` or a `WorkingHours`: nested values
    /// whose multi-word keys go through the codec's key conversion both ways.
    static func hasNestedSnakeCaseValues(_ event: DomainEvent) -> Bool {
        switch event.body {
        case .messageCreated(let message): !message.attachments.isEmpty
        case .inboxCreated(let inbox): !inbox.settings.workingHours.isEmpty
        case .inboxUpdated(let inbox): !inbox.settings.workingHours.isEmpty
        default: false
        }
    }

    @Test(arguments: SampleEvents.all)
    func roundTrip(_ event: DomainEvent) throws {
        let decoded = try decode(try stored(event), as: event)
        #expect(decoded == event)
        #expect(decoded.body.version == event.body.version)
    }

    @Test func samplesCoverNestedSnakeCaseValues() {
        // Attachments and working hours are nested values whose keys the codec
        // converts both ways; keep samples that carry them.
        #expect(SampleEvents.all.contains { $0.type == "message.created" && Self.hasNestedSnakeCaseValues($0) })
        #expect(SampleEvents.all.contains { $0.type == "inbox.created" && Self.hasNestedSnakeCaseValues($0) })
    }

    @Test func storedTopLevelKeys() throws {
        for event in SampleEvents.all {
            let object = try json(try stored(event))
            #expect(Set(object.keys) == ["actor", "payload", "version"], "\(event.type)")
            #expect(object["version"] == .number(Double(event.body.version)))
        }
    }

    @Test func unknownTypeThrows() throws {
        let event = try sample("message.deleted")
        let bytes = try stored(event)
        #expect(throws: EventCodec.Failure.unknownType("message.exploded")) {
            try decode(bytes, as: event, type: "message.exploded")
        }
    }

    @Test(arguments: [0, 2, 99])
    func otherStoredVersionThrows(_ version: Int) throws {
        let event = try sample("message.deleted")
        var object = try json(try stored(event))
        object["version"] = .number(Double(version))
        let bytes = Array(try EventCodec.encoder().encode(JSONValue.object(object)))
        #expect(throws: EventCodec.Failure.unsupportedVersion(type: "message.deleted", version: version)) {
            try decode(bytes, as: event)
        }
    }

    /// A newer version is a breaking change, so its payload usually does not
    /// decode as the current struct: the version is checked first.
    @Test func otherVersionWithAnotherShapeThrowsUnsupportedVersion() throws {
        let event = try sample("message.deleted")
        var object = try json(try stored(event))
        object["version"] = .number(2)
        object["payload"] = .object(["message_ref": .string("m-19")])
        let bytes = Array(try EventCodec.encoder().encode(JSONValue.object(object)))
        #expect(throws: EventCodec.Failure.unsupportedVersion(type: "message.deleted", version: 2)) {
            try decode(bytes, as: event)
        }
    }

    @Test func storedKeysAreSnakeCase() throws {
        let message = try payload(try sample("message.created") { $0.actor == .contact(SampleEvents.contact) })
        for key in ["message_id", "conversation_id", "message_type", "content_type", "content_attributes", "echo_id", "private"] {
            #expect(message[key] != nil, "message.created lacks \(key)")
        }
        #expect(message["messageID"] == nil && message["echoID"] == nil)

        let members = try payload(try sample("inbox.members_changed"))
        #expect(members["user_ids"] == .array([.number(7), .number(8), .number(12)]))
        #expect(members["inbox_id"] == .number(3))

        let read = try payload(try sample("conversation.read"))
        #expect(read["last_read_message_id"] == .number(17))

        let token = try payload(try sample("access_token.issued"))
        #expect(token["token_sha256"] == .string("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"))

        let status = try payload(try sample("conversation.status_changed"))
        #expect(status["previous_status"] == .string("open"))
        #expect(status["snoozed_until"] == .number(1_800_000_000))

        let inbox = try payload(try sample("inbox.created"))
        guard case .object(let settings) = try #require(inbox["settings"]) else {
            Issue.record("settings is not an object")
            return
        }
        #expect(settings["out_of_office_message"] == .string("Back Monday"))
        #expect(settings["hmac_mandatory"] == .bool(true))
        #expect(inbox["channel_type"] == .string("web_widget"))
    }

    /// No payload key has an upper-case letter, except inside the free-form objects.
    @Test func noCamelCaseOutsideFreeFormObjects() throws {
        func check(_ value: JSONValue, at path: String, type: String) {
            switch value {
            case .object(let object):
                for (key, child) in object {
                    #expect(key == key.lowercased(), "\(type): \(path).\(key)")
                    if ["custom_attributes", "content_attributes", "details"].contains(key), case .object = child,
                        !(key == "details" && type.hasPrefix("contact."))
                    {
                        continue
                    }
                    check(child, at: "\(path).\(key)", type: type)
                }
            case .array(let array):
                for (index, child) in array.enumerated() { check(child, at: "\(path)[\(index)]", type: type) }
            default:
                break
            }
        }
        for event in SampleEvents.all {
            check(.object(try payload(event)), at: "payload", type: event.type)
        }
    }

    @Test func freeFormKeysStayAsGiven() throws {
        let created = try payload(try sample("conversation.created") { $0.streams.count == 5 })
        guard case .object(let attributes) = try #require(created["custom_attributes"]) else {
            Issue.record("custom_attributes is not an object")
            return
        }
        #expect(Set(attributes.keys) == Set(SampleEvents.attributes.keys))
        #expect(attributes["planType"] == .string("enterprise"))
        #expect(attributes["order_id"] == .string("ORD-77"))
        #expect(attributes["plan_type"] == nil && attributes["orderID"] == nil)
        guard case .object(let billing) = try #require(attributes["billingContact"]) else {
            Issue.record("billingContact is not an object")
            return
        }
        #expect(billing["firstName"] == .string("Zoë"))

        let message = try payload(try sample("message.created") { $0.actor == .contact(SampleEvents.contact) })
        #expect(message["content"] == .string(SampleEvents.unicode))
        #expect(message["content_attributes"] == .object(["submittedValues": .array([.object(["displayText": .string("Sí")])])]))
    }

    @Test func absentOptionalsAreOmitted() throws {
        let activity = try payload(try sample("message.created") {
            if case .messageCreated(let message) = $0.body { return message.messageType == .activity } else { return false }
        })
        #expect(activity["sender"] == nil)
        #expect(activity["echo_id"] == nil)
        #expect(activity["message_type"] == .number(2))

        let unassigned = try payload(try sample("assignee.changed") {
            if case .assigneeChanged(let change) = $0.body { return change.assigneeID == nil } else { return false }
        })
        #expect(Set(unassigned.keys) == ["conversation_id", "previous_assignee_id"])
    }

    @Test func payloadJSONIsTheStoredPayload() throws {
        for event in SampleEvents.all {
            let alone = try JSONDecoder().decode(JSONValue.self, from: EventCodec.payloadJSON(event.body, with: EventCodec.encoder()))
            #expect(alone == .object(try payload(event)), "\(event.type)")
        }
    }
}
