import NIOCore
import ParleyDomain

/// A JSON value to send, with object keys in the order given, so responses
/// are byte-for-byte stable.
public indirect enum JSONOut: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONOut])
    case object([(String, JSONOut)])
    /// JSON encoded elsewhere (a stored event's envelope), written as is.
    case raw([UInt8])

    public static func uint(_ value: UInt64) -> JSONOut { .int(Int64(clamping: value)) }
    public static func uint(_ value: UInt64?) -> JSONOut { value.map { .int(Int64(clamping: $0)) } ?? .null }
    public static func string(_ value: String?) -> JSONOut { value.map { .string($0) } ?? .null }
    /// Epoch seconds from milliseconds, as Chatwoot's payloads carry times.
    public static func seconds(_ milliseconds: UInt64) -> JSONOut { .int(Int64(clamping: milliseconds / 1000)) }
    public static func seconds(_ milliseconds: UInt64?) -> JSONOut { milliseconds.map { seconds($0) } ?? .null }

    /// The domain's free-form JSON (custom attributes), keys sorted.
    public init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9.0e15 { self = .int(Int64(value)) } else { self = .double(value) }
        case .string(let value): self = .string(value)
        case .array(let values): self = .array(values.map(JSONOut.init))
        case .object(let members): self = .object(members.sorted { $0.key < $1.key }.map { ($0.key, JSONOut($0.value)) })
        }
    }

    public init(_ object: JSONObject) {
        self.init(JSONValue.object(object))
    }

    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value):
            if value.isFinite { out.append(contentsOf: "\(value)".utf8) } else { out.append(contentsOf: "null".utf8) }
        case .string(let value): EventJSONWriter.quoted(value, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                EventJSONWriter.quoted(member.0, into: &out)
                out.append(UInt8(ascii: ":"))
                member.1.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .raw(let bytes): out.append(contentsOf: bytes)
        }
    }
}

extension JSONOut: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONOut...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONOut)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}
