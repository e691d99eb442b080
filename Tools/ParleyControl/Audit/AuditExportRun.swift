import Foundation
import ParleyLog

/// What `export-audit --json` prints.
public struct AuditExportSummary: Sendable, Encodable {
    public var account: UInt64
    /// Log events read to find the records.
    public var events: UInt64
    public var eventsPerS: Int
    public var records: UInt64
    public var firstOffset: UInt64?
    public var lastOffset: UInt64?
    public var headHash: String
    public var out: String
    /// Where the export's own audit entry landed in the log.
    public var auditOffset: UInt64
    /// `server` when a running server recorded it, `offline` when this command did.
    public var recordedBy: String
}

/// `parleyctl export-audit`: reads the log, writes the export beside its
/// destination, records the export as an audit entry, then renames the file
/// into place — so a failure anywhere leaves neither a file nor an entry.
public enum AuditExportRun {
    public static func run(data: String, request: AuditExportRequest, key: AuditKey, out: String) async throws
        -> AuditExportSummary
    {
        let reader = try await LogReader.open(at: data)
        let recorder: AuditExportRecorder
        do {
            recorder = try await AuditExportRecorder.open(data: data)
        } catch {
            await reader.close()
            throw error
        }
        do {
            let file = try AtomicOutputFile(destination: out)
            let started = ContinuousClock.now
            let manifest = try await AuditExporter(reader: reader, request: request, key: key).export(to: file.write)
            let elapsed = (ContinuousClock.now - started) / .seconds(1)
            await reader.close()
            let details = AuditExportEntry.details(manifest, file: URL(fileURLWithPath: out).lastPathComponent)
            let offset = try await recorder.record(account: request.account, details: details)
            try file.commit()
            await recorder.close()
            return AuditExportSummary(
                account: request.account, events: manifest.eventsRead,
                eventsPerS: elapsed > 0 ? Int((Double(manifest.eventsRead) / elapsed).rounded()) : 0,
                records: manifest.records, firstOffset: manifest.firstOffset, lastOffset: manifest.lastOffset,
                headHash: manifest.headHash, out: out, auditOffset: offset, recordedBy: recorder.name)
        } catch {
            await reader.close()
            await recorder.close()
            throw error
        }
    }
}
