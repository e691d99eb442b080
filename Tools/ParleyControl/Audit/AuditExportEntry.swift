import ParleyDomain

/// The audit entry that records an export: `audit.recorded` with action
/// `audit_exported`, done by the system to the account, with what was
/// exported in its details.
public enum AuditExportEntry {
    public static let action = "audit_exported"

    /// The entry's details: the range, the selection, the records and the head hash.
    public static func details(_ manifest: AuditManifest, file: String) -> JSONObject {
        func number(_ value: UInt64?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
        return [
            "file": .string(file), "selection": .string(manifest.selection), "from": number(manifest.from),
            "to": number(manifest.to), "records": number(manifest.records), "first_offset": number(manifest.firstOffset),
            "last_offset": number(manifest.lastOffset), "log_head": number(manifest.logHead),
            "head_hash": .string(manifest.headHash), "key_id": .string(manifest.keyID),
        ]
    }

    /// The command that records it, executed as Parley itself.
    public static func command(account: UInt64, details: JSONObject) -> Command {
        Command(
            accountID: account, principal: .system,
            action: .recordAudit(action: action, targetType: "Account", targetID: account, ipAddress: nil, details: details))
    }
}
