import ArgumentParser
import Foundation
import ParleyControl
import ParleyLog

/// `parleyctl inspect`: reads a data directory through a secondary instance,
/// so it is safe while `parley serve` runs on it.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Shows a data directory's entries, streams and statistics (safe while the server runs).",
        subcommands: [
            InspectHeadCommand.self, InspectTailCommand.self, InspectShowCommand.self, InspectStreamsCommand.self,
            InspectStreamCommand.self, InspectStatsCommand.self,
        ])

    @OptionGroup var options: InspectOptions
}

/// What every `inspect` subcommand takes, before or after its name.
struct InspectOptions: ParsableArguments {
    @Option(help: "The data directory.") var data: String
    @Flag(help: "Print JSON lines: events as their stored envelope, other results as objects.") var json = false

    /// Opens the reader, runs `body` with it and closes it however `body` ends.
    func withReader<T>(_ body: (LogReader) async throws -> T) async throws -> T {
        let reader = try await LogReader.open(at: data)
        do {
            let result = try await body(reader)
            await reader.close()
            return result
        } catch {
            await reader.close()
            throw error
        }
    }

    /// Prints each entry as a line: the envelope JSON, or the text line.
    func printEntries(_ entries: [LogEntry], epoch: String) throws {
        for entry in entries {
            print(json ? try EntryText.envelope(entry, epoch: epoch) : EntryText.line(entry))
        }
    }
}

struct InspectHeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "head", abstract: "The oldest entries.")

    @OptionGroup var options: InspectOptions
    @Option(help: "How many entries.") var limit = 10

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        try await options.withReader { reader in
            try options.printEntries(try await reader.read(after: 0, limit: limit), epoch: reader.epoch)
        }
    }
}

struct InspectTailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail", abstract: "The newest entries; with -f, then every new one until SIGINT or SIGTERM.")

    @OptionGroup var options: InspectOptions
    @Option(help: "How many entries.") var limit = 10
    @Flag(name: [.short, .customLong("follow")], help: "Keep printing entries as they are appended.") var follow = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let signals = follow ? StopSignals() : nil
        try await options.withReader { reader in
            let newest = try await reader.read(before: nil, limit: limit)
            try options.printEntries(newest.reversed(), epoch: reader.epoch)
            guard let signals else { return }
            fflush(nil)
            let after = newest.first?.offset ?? reader.head
            try await LogFollower(reader: reader).follow(after: after, until: signals) { page in
                try options.printEntries(page, epoch: reader.epoch)
                // Whoever reads a pipe sees each page as it arrives.
                fflush(nil)
            }
        }
    }
}

struct InspectShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Every field of the entry at one offset.")

    @OptionGroup var options: InspectOptions
    @Argument(help: "The entry's offset.") var offset: UInt64

    func run() async throws {
        try await options.withReader { reader in
            guard offset > 0, let entry = try await reader.read(after: offset - 1, limit: 1).first, entry.offset == offset
            else {
                throw ControlError("no entry at offset \(offset) (the head is \(reader.head); pruned typing entries leave gaps)")
            }
            print(options.json ? try EntryText.envelope(entry, epoch: reader.epoch) : EntryText.detail(entry))
        }
    }
}

struct InspectStreamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams", abstract: "Streams whose name starts with a prefix, with their last sequence.")

    @OptionGroup var options: InspectOptions
    @Argument(help: "The prefix (\"conversation:1:\", \"\" for every stream).") var prefix: String
    @Option(help: "At most this many streams (default: all).") var limit: Int?

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        try await options.withReader { reader in
            var after: String?
            var left = limit ?? .max
            while left > 0 {
                let page = try await reader.streams(prefix: prefix, after: after, limit: min(left, 4096))
                guard let last = page.last else { break }
                for head in page {
                    if options.json {
                        try printJSONLine(StreamLine(stream: head.stream, head: head.seq))
                    } else {
                        print("\(head.stream) \(head.seq)")
                    }
                }
                after = last.stream
                left -= page.count
            }
        }
    }

    struct StreamLine: Encodable {
        var stream: String
        var head: UInt64
    }
}

struct InspectStreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream", abstract: "The entries of one stream, in sequence order.")

    @OptionGroup var options: InspectOptions
    @Argument(help: "The stream's name (\"conversation:1:7\").") var name: String
    @Option(help: "Start after this sequence.") var after: UInt64 = 0
    @Option(help: "How many entries.") var limit = 100

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        try await options.withReader { reader in
            try options.printEntries(try await reader.read(stream: name, after: after, limit: limit), epoch: reader.epoch)
        }
    }
}

struct InspectStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Head, epoch, entries by type, streams, column families and size on disk.")

    @OptionGroup var options: InspectOptions

    func run() async throws {
        try await options.withReader { reader in
            let summary = try await LogSummary.collect(reader, progress: ProgressReporter(label: "stats", total: reader.head))
            if options.json { try printJSONLine(summary) } else { print(summary.text) }
        }
    }
}
