import ArgumentParser
import ParleyControl

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copies a data directory consistently, through the running server when there is one.",
        discussion: """
            The backup is a RocksDB checkpoint of the log plus the server's secrets file, so tokens keep \
            working after a restore. It is written beside --out and renamed into place when complete.
            """)

    @Option(help: "The data directory.") var data: String
    @Option(help: "Where to write the backup (a new path).") var out: String
    @Flag(help: "Print one JSON line.") var json = false

    func run() async throws {
        let summary = try await Backup.run(data: data, out: out)
        if json { try printJSONLine(summary) } else { print(summary.text) }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Puts a backup into an empty or new data directory, with a new epoch.",
        discussion: """
            Clients that hold offsets from before the restore are told to resync (their epoch no longer \
            matches). Refuses a non-empty target and anything but a `parleyctl backup` directory.
            """)

    @Option(help: "The backup directory.") var from: String
    @Option(help: "The data directory to create (missing or empty).") var data: String
    @Flag(help: "Print one JSON line.") var json = false

    func run() async throws {
        let summary = try await Restore.run(from: from, data: data)
        if json { try printJSONLine(summary) } else { print(summary.text) }
    }
}
