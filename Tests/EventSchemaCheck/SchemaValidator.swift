import Foundation
import ParleyDomain

/// Checks JSON against the JSON Schema subset `Schemas/events` uses: `type`
/// (one or several), `properties`, `required`, `additionalProperties`,
/// `items`, `enum`, `const`, `minimum`, `maximum`, `minLength`, `maxLength`,
/// `minItems`, `maxItems`, and `$ref` to `#/$defs/…` or to a sibling file
/// (`envelope.v1.json#/$defs/…`). Any other keyword is an error, so a schema
/// never silently claims more than is checked.
public struct SchemaValidator {
    let directory: URL
    private var documents: [String: JSONValue] = [:]

    public static let supported: Set<String> = [
        "$schema", "$id", "$defs", "title", "description", "type", "properties", "required",
        "additionalProperties", "items", "enum", "const", "minimum", "maximum", "minLength", "maxLength",
        "minItems", "maxItems", "$ref", "examples",
    ]

    public init(directory: URL) {
        self.directory = directory
    }

    /// The violations of `instance` against the schema in `file`; empty when it conforms.
    public mutating func violations(of instance: JSONValue, against file: String) throws -> [String] {
        let document = try load(file)
        var problems: [String] = []
        try check(instance, against: document, in: file, at: "$", problems: &problems)
        return problems
    }

    private mutating func load(_ file: String) throws -> JSONValue {
        if let document = documents[file] { return document }
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        let document = try JSONDecoder().decode(JSONValue.self, from: data)
        documents[file] = document
        return document
    }

    private mutating func resolve(_ reference: String, from file: String) throws -> (JSONValue, String) {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let target = parts[0].isEmpty ? file : String(parts[0])
        var node = try load(target)
        if parts.count == 2 {
            for component in parts[1].split(separator: "/") {
                guard case .object(let object) = node, let next = object[String(component)] else {
                    throw SchemaError("unresolvable $ref \(reference) in \(file)")
                }
                node = next
            }
        }
        return (node, target)
    }

    private mutating func check(
        _ instance: JSONValue, against schemaNode: JSONValue, in file: String, at path: String, problems: inout [String]
    ) throws {
        guard case .object(let schema) = schemaNode else {
            if schemaNode == .bool(false) { problems.append("\(path): not allowed") }
            return
        }
        for keyword in schema.keys where !Self.supported.contains(keyword) {
            throw SchemaError("unsupported keyword \(keyword) in \(file)")
        }
        if case .string(let reference) = schema["$ref"] {
            let (target, targetFile) = try resolve(reference, from: file)
            try check(instance, against: target, in: targetFile, at: path, problems: &problems)
        }
        if let types = schema["type"] {
            let allowed: [String]
            switch types {
            case .string(let one): allowed = [one]
            case .array(let many): allowed = many.compactMap { if case .string(let s) = $0 { s } else { nil } }
            default: throw SchemaError("bad type in \(file)")
            }
            guard allowed.contains(where: { Self.matches(instance, type: $0) }) else {
                problems.append("\(path): expected \(allowed.joined(separator: " or ")), got \(instance)")
                return
            }
        }
        if case .array(let options) = schema["enum"], !options.contains(instance) {
            problems.append("\(path): \(instance) is not one of the allowed values")
        }
        if let constant = schema["const"], constant != instance {
            problems.append("\(path): expected \(constant), got \(instance)")
        }
        switch instance {
        case .number(let number):
            if case .number(let minimum) = schema["minimum"], number < minimum { problems.append("\(path): below \(minimum)") }
            if case .number(let maximum) = schema["maximum"], number > maximum { problems.append("\(path): above \(maximum)") }
        case .string(let string):
            if case .number(let minimum) = schema["minLength"], string.count < Int(minimum) {
                problems.append("\(path): shorter than \(Int(minimum))")
            }
            if case .number(let maximum) = schema["maxLength"], string.count > Int(maximum) {
                problems.append("\(path): longer than \(Int(maximum))")
            }
        case .array(let array):
            if case .number(let minimum) = schema["minItems"], array.count < Int(minimum) {
                problems.append("\(path): fewer than \(Int(minimum)) items")
            }
            if case .number(let maximum) = schema["maxItems"], array.count > Int(maximum) {
                problems.append("\(path): more than \(Int(maximum)) items")
            }
            if let items = schema["items"] {
                for (index, element) in array.enumerated() {
                    try check(element, against: items, in: file, at: "\(path)[\(index)]", problems: &problems)
                }
            }
        case .object(let object):
            var properties: [String: JSONValue] = [:]
            if case .object(let declared) = schema["properties"] { properties = declared }
            if case .array(let required) = schema["required"] {
                for case .string(let name) in required where object[name] == nil { problems.append("\(path): missing \(name)") }
            }
            for (name, value) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[name] {
                    try check(value, against: property, in: file, at: "\(path).\(name)", problems: &problems)
                } else if let additional = schema["additionalProperties"] {
                    try check(value, against: additional, in: file, at: "\(path).\(name)", problems: &problems)
                }
            }
        case .null, .bool:
            break
        }
    }

    private static func matches(_ instance: JSONValue, type: String) -> Bool {
        switch (type, instance) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array),
            ("object", .object):
            return true
        case ("integer", .number(let value)):
            return value.rounded() == value
        default:
            return false
        }
    }
}

public struct SchemaError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
