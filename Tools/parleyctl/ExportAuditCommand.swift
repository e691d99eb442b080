import ArgumentParser
import ParleyControl

/// `parleyctl export-audit`: an account's audit trail as a signed, hash-chained file.
struct ExportAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-audit",
        abstract: "Exports an account's audit trail as LZ4-compressed, hash-chained JSON lines with a signed manifest.",
        discussion: """
            Reads the log as a secondary instance (safe while the server runs) and never changes it. \
            The export is itself recorded in the account's audit trail: by the running server through \
            its admin channel, or here when no server holds the directory. The file is written beside \
            --out and renamed into place once complete. Format: Schemas/audit-export.md.
            """)

    @Option(help: "The data directory.")
    var data: String

    @Option(help: "The account whose trail to export.")
    var account: UInt64

    @Option(help: "Only events at or after this time (ISO-8601, a date, or milliseconds since 1970).")
    var from: String?

    @Option(help: "Only events before this time.")
    var to: String?

    @Flag(help: "Every event of the account, not only its audit stream.")
    var allEvents = false

    @Option(help: "The signing key: a file of at least 32 bytes, used as an HMAC-SHA256 key.")
    var keyFile: String

    @Option(help: "The export file to write.")
    var out: String

    @Flag(help: "Print a JSON summary line.")
    var json = false

    func run() async throws {
        let from = try from.map { try TimeArgument.milliseconds($0, option: "--from") }
        let to = try to.map { try TimeArgument.milliseconds($0, option: "--to") }
        if let from, let to, from >= to { throw ControlError("--from must be before --to") }
        let key = try AuditKey(file: keyFile)
        let request = AuditExportRequest(account: account, from: from, to: to, allEvents: allEvents)
        let summary = try await AuditExportRun.run(data: data, request: request, key: key, out: out)
        if json {
            try printJSONLine(summary)
        } else {
            print(
                "exported \(summary.records) records of account \(account) to \(out) (\(summary.events) events read, \(summary.eventsPerS)/s); head hash \(summary.headHash); recorded at offset \(summary.auditOffset)"
            )
        }
    }
}
