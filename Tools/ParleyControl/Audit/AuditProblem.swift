/// Why an export failed verification, with the record it concerns.
public struct AuditProblem: Error, CustomStringConvertible, Sendable, Hashable, Encodable {
    public enum Kind: String, Sendable, Hashable, Encodable {
        case notAnExport = "not_an_export"
        case corrupt
        case truncated
        case unsupportedVersion = "unsupported_version"
        case modified
        case removed
        case inserted
        case reordered
        case manifestModified = "manifest_modified"
        case wrongKey = "wrong_key"
    }

    public var kind: Kind
    /// The line of the file where the problem shows (from 1).
    public var line: UInt64?
    /// The number of the record concerned, as the export numbered it.
    public var record: UInt64?
    /// That record's offset in the log, when known.
    public var offset: UInt64?
    public var message: String

    public var description: String { message }

    init(_ kind: Kind, line: UInt64? = nil, record: UInt64? = nil, offset: UInt64? = nil, _ message: String) {
        self.kind = kind
        self.line = line
        self.record = record
        self.offset = offset
        self.message = message
    }
}
