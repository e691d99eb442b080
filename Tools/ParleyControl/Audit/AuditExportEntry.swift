import ParleyDomain

/// What the audit entry recording an export (``AuditExportRecord``) says
/// about it.
public enum AuditExportEntry {
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
}
