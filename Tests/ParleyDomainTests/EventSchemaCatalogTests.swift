import EventSchemaCheck
import Foundation
import ParleyDomain
import Testing

/// `Schemas/events` holds one schema per payload type and version, each
/// readable and using only the keywords `SchemaValidator` checks.
@Suite struct EventSchemaCatalogTests {
    static let envelopeFile = "envelope.v1.json"

    /// Every `<name>.v<version>.json` in the directory.
    static func schemaFiles() throws -> [(file: String, name: String, version: Int)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: EventSchemas.directory.path)
        return files.sorted().compactMap { file in
            guard let match = file.wholeMatch(of: /(.+)\.v([0-9]+)\.json/), let version = Int(match.2) else { return nil }
            return (file, String(match.1), version)
        }
    }

    static func load(_ file: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: EventSchemas.directory.appendingPathComponent(file)))
    }

    @Test func directoryExists() throws {
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: EventSchemas.directory.path, isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
        // One per payload type and the envelope, plus any older versions kept.
        #expect(try Self.schemaFiles().count >= EventBody.payloadTypes.count + 1)
    }

    @Test func everyPayloadTypeHasItsSchema() {
        for payload in EventBody.payloadTypes {
            let file = EventSchemas.file(for: payload.type, version: payload.version)
            #expect(
                FileManager.default.fileExists(atPath: EventSchemas.directory.appendingPathComponent(file).path),
                "missing \(file)")
        }
    }

    @Test func everySchemaFileNamesAKnownType() throws {
        let versions = Dictionary(uniqueKeysWithValues: EventBody.payloadTypes.map { ($0.type, $0.version) })
        let files = try Self.schemaFiles()
        #expect(files.contains { $0.file == Self.envelopeFile })
        for (file, name, version) in files where name != "envelope" {
            let current = try #require(versions[name], "\(file) names no payload type")
            // Older versions stay next to the current one; newer ones cannot exist.
            #expect((1...current).contains(version), "\(file): current version of \(name) is \(current)")
        }
    }

    /// Walks a schema node, checking every keyword is supported and every
    /// `$ref` resolves; returns the number of nodes seen.
    @discardableResult
    static func checkKeywords(_ node: JSONValue, in file: String, at path: String) throws -> Int {
        guard case .object(let schema) = node else {
            #expect(node == .bool(true) || node == .bool(false), "\(file) \(path): a schema is an object or a boolean")
            return 1
        }
        var seen = 1
        for key in schema.keys {
            #expect(SchemaValidator.supported.contains(key), "\(file) \(path): unsupported keyword \(key)")
        }
        for container in ["properties", "$defs"] {
            if let value = schema[container] {
                guard case .object(let members) = value else {
                    Issue.record("\(file) \(path).\(container) is not an object")
                    continue
                }
                for (name, member) in members { seen += try checkKeywords(member, in: file, at: "\(path).\(container).\(name)") }
            }
        }
        for single in ["items", "additionalProperties"] {
            if let value = schema[single] { seen += try checkKeywords(value, in: file, at: "\(path).\(single)") }
        }
        if let reference = schema["$ref"] {
            guard case .string(let target) = reference else {
                Issue.record("\(file) \(path): $ref is not a string")
                return seen
            }
            #expect(try resolves(target, from: file), "\(file) \(path): $ref \(target) does not resolve")
        }
        if case .array(let required) = schema["required"], case .object(let properties) = schema["properties"] {
            for case .string(let name) in required {
                #expect(properties[name] != nil, "\(file) \(path): required \(name) is not a declared property")
            }
        }
        return seen
    }

    static func resolves(_ reference: String, from file: String) throws -> Bool {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let target = parts[0].isEmpty ? file : String(parts[0])
        guard FileManager.default.fileExists(atPath: EventSchemas.directory.appendingPathComponent(target).path) else {
            return false
        }
        var node = try load(target)
        if parts.count == 2 {
            for component in parts[1].split(separator: "/") {
                guard case .object(let object) = node, let next = object[String(component)] else { return false }
                node = next
            }
        }
        return true
    }

    @Test func everySchemaParsesAndUsesSupportedKeywords() throws {
        for (file, _, _) in try Self.schemaFiles() {
            let document = try Self.load(file)
            #expect(try Self.checkKeywords(document, in: file, at: "$") > 3, "\(file) is nearly empty")
        }
    }

    @Test func typeFilesNarrowTheEnvelope() throws {
        for payload in EventBody.payloadTypes {
            let file = EventSchemas.file(for: payload.type, version: payload.version)
            guard case .object(let schema) = try Self.load(file) else {
                Issue.record("\(file) is not an object")
                continue
            }
            #expect(schema["$ref"] == .string(Self.envelopeFile), "\(file)")
            #expect(schema["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"), "\(file)")
            if case .string(let title) = schema["title"] { #expect(title.contains(payload.type)) } else { Issue.record("\(file) has no title") }
            if case .string(let description) = schema["description"] {
                #expect(!description.isEmpty && !description.contains("\n"), "\(file): one-line description")
            } else {
                Issue.record("\(file) has no description")
            }
            guard case .object(let properties) = schema["properties"] else {
                Issue.record("\(file) has no properties")
                continue
            }
            #expect(Set(properties.keys) == ["type", "version", "payload"], "\(file)")
            #expect(properties["type"] == .object(["const": .string(payload.type)]), "\(file)")
            #expect(properties["version"] == .object(["const": .number(Double(payload.version))]), "\(file)")
            guard case .object(let body) = properties["payload"] else {
                Issue.record("\(file) has no payload schema")
                continue
            }
            #expect(body["type"] == .string("object"), "\(file)")
            #expect(body["additionalProperties"] == .bool(false), "\(file)")
        }
    }

    /// Validating a sample of each type walks the whole schema with the
    /// validator itself, which throws on an unsupported keyword or a broken `$ref`.
    @Test func everySchemaValidatesASample() throws {
        var validator = SchemaValidator(directory: EventSchemas.directory)
        for payload in EventBody.payloadTypes {
            let event = try #require(SampleEvents.all.first { $0.type == payload.type }, "no sample of \(payload.type)")
            let envelope = try EventSchemas.envelopeJSON(of: event)
            #expect(try validator.violations(of: envelope, against: Self.envelopeFile).isEmpty, "\(payload.type)")
            let file = EventSchemas.file(for: payload.type, version: payload.version)
            #expect(try validator.violations(of: envelope, against: file).isEmpty, "\(file)")
        }
    }

    @Test func envelopeDefinesTheSharedDefinitions() throws {
        guard case .object(let envelope) = try Self.load(Self.envelopeFile), case .object(let defs) = envelope["$defs"] else {
            Issue.record("envelope has no $defs")
            return
        }
        let expected: Set<String> = [
            "actor", "participant", "attachment", "working_hours", "inbox_settings", "contact_details", "json_object",
            "conversation_status", "priority", "message_type", "role", "availability", "channel_type", "uint",
        ]
        #expect(expected.isSubset(of: Set(defs.keys)), "missing: \(expected.subtracting(defs.keys).sorted())")
        #expect(envelope["additionalProperties"] == .bool(false))
        guard case .array(let required) = envelope["required"] else {
            Issue.record("envelope has no required list")
            return
        }
        #expect(
            Set(required) == Set(
                ["offset", "id", "type", "version", "account_id", "streams", "actor", "occurred_at", "idempotency_key",
                    "correlation_id", "payload"].map(JSONValue.string)))
    }
}
