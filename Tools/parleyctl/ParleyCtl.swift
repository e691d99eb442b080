import ArgumentParser
import ParleyControl

@main
struct ParleyCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parleyctl",
        abstract: "Works on a Parley data directory: audit export and verify, replay, rebuild, backup, restore, inspect.",
        discussion: """
            Commands that only read open the directory as a RocksDB secondary instance, so they are \
            safe while `parley serve` runs on it. Every command prints a one-line message and exits \
            non-zero when it fails, and changes nothing when it fails.
            """,
        subcommands: [
            InspectCommand.self, BackupCommand.self, RestoreCommand.self, TokenCommand.self, ExportAudit.self, VerifyAudit.self,
            ReplayCommand.self, RebuildCommand.self,
        ])
}
