import EventSchemaCheck
import Foundation
import ParleyDomain
import Testing

/// Every sample event's published envelope conforms to its schema, the
/// schemas reject what the codec never produces, and they describe each
/// payload exactly: no field the samples never show, every always-present
/// field required.
@Suite struct EventSchemaConformanceTests {
    @Test(arguments: SampleEvents.all)
    func sampleConforms(_ event: DomainEvent) throws {
        let violations = try EventSchemas.violations(of: event)
        #expect(violations.isEmpty, "\(event.type): \(violations)")
    }

    @Test(arguments: SampleEvents.all)
    func sampleWithKeyAndCorrelationConforms(_ event: DomainEvent) throws {
        var validator = SchemaValidator(directory: EventSchemas.directory)
        let envelope = EventEnvelope(
            offset: 9_000_000_000, epoch: "fedcba9876543210", event: event,
            streams: event.streams.enumerated().map { .init(stream: $1, seq: event.ephemeral ? nil : UInt64($0 + 1) * 1000) },
            occurredAt: 1_750_000_000_123, idempotencyKey: "key-ü-1", correlationID: "req-42")
        let json = try JSONDecoder().decode(JSONValue.self, from: EventCodec.encoder().encode(envelope))
        let violations = try validator.violations(of: json, against: EventSchemas.file(for: event.type, version: event.body.version))
        #expect(violations.isEmpty, "\(event.type): \(violations)")
    }

    // MARK: The schemas bite

    /// A change to one place in a JSON value.
    struct Breakage: Sendable, CustomStringConvertible {
        var description: String
        var path: [String]
        /// The new value; nil removes the key.
        var value: JSONValue?
    }

    static let breakages: [Breakage] = [
        Breakage(description: "message_type as a string", path: ["payload", "message_type"], value: .string("incoming")),
        Breakage(description: "message_type out of range", path: ["payload", "message_type"], value: .number(4)),
        Breakage(description: "message_id removed", path: ["payload", "message_id"], value: nil),
        Breakage(description: "message_id zero", path: ["payload", "message_id"], value: .number(0)),
        Breakage(description: "unknown payload key", path: ["payload", "surprise"], value: .bool(true)),
        Breakage(description: "type of another event", path: ["type"], value: .string("message.updated")),
        Breakage(description: "version 2", path: ["version"], value: .number(2)),
        Breakage(description: "actor type robot", path: ["actor", "type"], value: .string("robot")),
        Breakage(description: "null echo_id", path: ["payload", "echo_id"], value: .null),
        Breakage(description: "sender without id", path: ["payload", "sender", "id"], value: nil),
        Breakage(description: "private as a string", path: ["payload", "private"], value: .string("false")),
        Breakage(description: "attachments as an object", path: ["payload", "attachments"], value: .object([:])),
        Breakage(description: "unknown envelope key", path: ["published_at"], value: .number(1)),
        Breakage(description: "account_id removed", path: ["account_id"], value: nil),
        Breakage(description: "fractional offset", path: ["offset"], value: .number(1.5)),
        Breakage(description: "short id", path: ["id"], value: .string("0123")),
        Breakage(description: "idempotency_key a number", path: ["idempotency_key"], value: .number(7)),
        Breakage(description: "payload an array", path: ["payload"], value: .array([])),
    ]

    static func edit(_ json: JSONValue, at path: ArraySlice<String>, to value: JSONValue?) -> JSONValue {
        guard let key = path.first, case .object(var object) = json else { return value ?? .null }
        if path.count == 1 {
            object[key] = value
        } else {
            object[key] = edit(object[key] ?? .object([:]), at: path.dropFirst(), to: value)
        }
        return .object(object)
    }

    static var fullMessage: DomainEvent {
        SampleEvents.all.first {
            if case .messageCreated(let message) = $0.body { message.sender != nil && message.echoID != nil } else { false }
        }!
    }

    @Test func fullMessageConformsBeforeBreaking() throws {
        #expect(try EventSchemas.violations(of: Self.fullMessage).isEmpty)
    }

    @Test(arguments: breakages)
    func brokenMessageIsRejected(_ breakage: Breakage) throws {
        var validator = SchemaValidator(directory: EventSchemas.directory)
        let original = try EventSchemas.envelopeJSON(of: Self.fullMessage)
        let broken = Self.edit(original, at: breakage.path[...], to: breakage.value)
        #expect(broken != original)
        let violations = try validator.violations(of: broken, against: "message.created.v1.json")
        #expect(!violations.isEmpty, "\(breakage) was accepted")
    }

    @Test func brokenNestedDefinitionsAreRejected() throws {
        var validator = SchemaValidator(directory: EventSchemas.directory)
        let cases: [(String, [String], JSONValue?)] = [
            ("contact.created", ["payload", "details", "nickname"], .string("Z")),
            ("contact.created", ["payload", "details", "blocked"], nil),
            ("contact.created", ["payload", "details", "email"], .null),
            ("inbox.created", ["payload", "settings", "working_hours"], .array([.object(["day_of_week": .number(7)])])),
            ("inbox.created", ["payload", "channel_type"], .string("email")),
            ("conversation.created", ["payload", "status"], .string("closed")),
            ("conversation.created", ["payload", "priority"], .string("critical")),
            ("conversation.read", ["payload", "participant", "type"], .string("agent")),
            ("conversation.read", ["payload", "last_read_message_id"], .number(-1)),
            ("conversation.csat_submitted", ["payload", "rating"], .number(6)),
            ("conversation.csat_submitted", ["payload", "rating"], .number(0)),
            ("account_user.added", ["payload", "role"], .string("owner")),
            ("user.availability_changed", ["payload", "availability"], .string("asleep")),
            ("conversation.typing_on", ["streams"], .array([.object(["stream": .string("account:42"), "seq": .number(0)])])),
            ("conversation.typing_on", ["streams"], .array([.object(["stream": .string("account:42")])])),
            ("access_token.issued", ["payload", "token_sha256"], .string("abc")),
        ]
        for (type, path, value) in cases {
            let event = try #require(SampleEvents.all.first { $0.type == type })
            let broken = Self.edit(try EventSchemas.envelopeJSON(of: event), at: path[...], to: value)
            let violations = try validator.violations(of: broken, against: EventSchemas.file(for: type, version: 1))
            #expect(!violations.isEmpty, "\(type) with \(path.joined(separator: ".")) = \(String(describing: value)) was accepted")
        }
    }

    // MARK: The schemas are exact

    static func payloadKeys(_ event: DomainEvent) throws -> Set<String> {
        let envelope = try EventSchemas.envelopeJSON(of: event)
        guard case .object(let object) = envelope, case .object(let payload) = object["payload"] else { return [] }
        return Set(payload.keys)
    }

    @Test func schemaPropertiesAreExactlyWhatTheCodecWrites() throws {
        for payload in EventBody.payloadTypes {
            let file = EventSchemas.file(for: payload.type, version: payload.version)
            let schema = try EventSchemaCatalogTests.load(file)
            guard case .object(let root) = schema, case .object(let properties) = root["properties"],
                case .object(let body) = properties["payload"], case .object(let declared) = body["properties"],
                case .array(let requiredList) = body["required"]
            else {
                Issue.record("\(file): no payload properties and required list")
                continue
            }
            let required = Set(requiredList.compactMap { if case .string(let name) = $0 { name } else { nil } })
            let samples = try SampleEvents.all.filter { $0.type == payload.type }.map(Self.payloadKeys)
            #expect(!samples.isEmpty)
            let always = samples.dropFirst().reduce(samples.first ?? []) { $0.intersection($1) }
            let ever = samples.reduce(Set<String>()) { $0.union($1) }
            #expect(Set(declared.keys) == ever, "\(file): declared \(declared.keys.sorted()), written \(ever.sorted())")
            #expect(required == always, "\(file): required \(required.sorted()), always written \(always.sorted())")
        }
    }
}
