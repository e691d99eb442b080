import ArgumentParser
import ParleyControl

/// `parleyctl verify-audit`: proves an export whole or names what was changed.
struct VerifyAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-audit",
        abstract: "Checks an audit export's hashes, chain and signature; names the first record changed, removed, inserted or moved.")

    @Argument(help: "The export file.")
    var file: String

    @Option(help: "The key the export was signed with.")
    var keyFile: String

    @Flag(help: "Print a JSON summary line (also when the check fails).")
    var json = false

    struct Verified: Encodable {
        var ok = true
        var account: UInt64
        var selection: String
        var records: UInt64
        var firstOffset: UInt64?
        var lastOffset: UInt64?
        var headHash: String
    }

    struct Failed: Encodable {
        var ok = false
        var problem: AuditProblem
    }

    func run() throws {
        let key = try AuditKey(file: keyFile)
        let manifest: AuditManifest
        do {
            manifest = try AuditVerifier(key: key).verify(path: file)
        } catch let problem as AuditProblem {
            if json { try printJSONLine(Failed(problem: problem)) }
            throw ControlError(problem.message)
        }
        if json {
            try printJSONLine(
                Verified(
                    account: manifest.account, selection: manifest.selection, records: manifest.records,
                    firstOffset: manifest.firstOffset, lastOffset: manifest.lastOffset, headHash: manifest.headHash))
        } else {
            print("OK: \(manifest.records) records of account \(manifest.account), head hash \(manifest.headHash)")
        }
    }
}
