import ArgumentParser
import Foundation
import ParleyLoadKit
import ParleyLog
import ParleyProjections

@main
struct ParleyLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley-load",
        abstract: "Load generator and benchmarks for Parley.",
        subcommands: [
            LogAppend.self, LogRead.self, DomainCommands.self, HTTPMessages.self, HTTPList.self, WebhookFanout.self, WebSocketFanout.self, WebSocketCatchup.self, Crash.self, CrashChildCommand.self, FillCommand.self,
        ])
}

/// Where a benchmark keeps its log: `--data` if given, else a scratch directory removed afterwards.
struct DataOption: ParsableArguments {
    @Option(help: "Data directory (default: a new temporary directory, removed afterwards).")
    var data: String?

    func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        if let data { return try await body(data) }
        let scratch = try ScratchDirectory(prefix: "parley-load")
        defer { scratch.remove() }
        return try await body(scratch.path)
    }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

struct LogAppend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Durable appends from concurrent appenders; prints rate and latency.")

    @Option(help: "Concurrent appenders, each waiting for its acknowledgement.") var appenders = 64
    @Option(help: "Events to append in all.") var events = 200_000
    @Option(help: "Payload bytes per event.") var payload = 200
    @Option(help: "Streams each event belongs to (conversation, account, contact, ...).") var streams = 3
    @Flag(help: "Run a lone appender on Swift's pool, as request handlers append, not on the log's writer thread.")
    var onPool = false
    @Flag(help: "Print one JSON line.") var json = false
    @OptionGroup var data: DataOption

    func validate() throws {
        guard appenders > 0, events >= appenders else { throw ValidationError("need events >= appenders > 0") }
        guard (0...1_000_000).contains(payload) else { throw ValidationError("payload must be 0...1000000 bytes") }
        guard (0...5).contains(streams) else { throw ValidationError("streams must be 0...5") }
    }

    func run() async throws {
        let report = try await data.withDirectory { path in
            let log = try await EventLog.open(at: path)
            let benchmark = AppendBenchmark(
                appenders: appenders, events: events, payloadBytes: payload, streams: streams, onPool: onPool)
            do {
                let report = try await benchmark.run(on: log)
                await log.close()
                return report
            } catch {
                await log.close()
                throw error
            }
        }
        if json {
            try printJSON(report)
        } else {
            print("\(report.events) events from \(report.appenders) appenders: \(Int(report.eventsPerSecond)) events/s, p50 \(report.p50Milliseconds) ms, p99 \(report.p99Milliseconds) ms")
        }
    }
}

struct LogRead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log-read", abstract: "Reads one stream from its start; prints the rate.")

    @Option(help: "Events in the stream.") var events = 200_000
    @Option(help: "Events per read call.") var page = 1000
    @Flag(help: "Print one JSON line.") var json = false
    @OptionGroup var data: DataOption

    func validate() throws {
        guard events > 0, page > 0 else { throw ValidationError("events and page must be positive") }
    }

    func run() async throws {
        let report = try await data.withDirectory { path in
            let log = try await EventLog.open(at: path)
            let benchmark = ReadBenchmark(events: events, pageSize: page)
            do {
                try await benchmark.fill(log)
                let report = try await benchmark.run(on: log)
                await log.close()
                return report
            } catch {
                await log.close()
                throw error
            }
        }
        if json {
            try printJSON(report)
        } else {
            print("read \(report.events) events in pages of \(report.pageSize): \(Int(report.eventsPerSecond)) events/s")
        }
    }
}

struct DomainCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Chat commands through the ledger with projections on; prints rate and latency.")

    @Option(help: "Concurrent callers, each waiting for its answer.") var callers = 64
    @Option(help: "Commands in all.") var commands = 100_000
    @Option(help: "Conversations the commands go to.") var conversations = 1000
    @Flag(help: "Print one JSON line.") var json = false
    @OptionGroup var data: DataOption

    func validate() throws {
        guard callers > 0, commands >= callers else { throw ValidationError("need commands >= callers > 0") }
        guard conversations > 0 else { throw ValidationError("conversations must be positive") }
    }

    func run() async throws {
        let report = try await data.withDirectory { path in
            let ledger = try await CommandLedger.open(at: path)
            let benchmark = DomainBenchmark(callers: callers, commands: commands, conversations: conversations)
            do {
                try await benchmark.seed(ledger)
                let report = try await benchmark.run(on: ledger)
                await ledger.close()
                return report
            } catch {
                await ledger.close()
                throw error
            }
        }
        if json {
            try printJSON(report)
        } else {
            print("\(report.commands) commands from \(report.callers) callers: \(Int(report.commandsPerSecond)) commands/s, p50 \(report.p50Milliseconds) ms, p99 \(report.p99Milliseconds) ms, \(report.refused) refused")
        }
    }
}

struct Crash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Kills a real appending process with SIGKILL, reopens the log and checks nothing acknowledged was lost.")

    @Option(help: "Kill and recover cycles.") var cycles = 5
    @Option(help: "Concurrent appenders in the child.") var appenders = 16
    @Flag(help: "Print one JSON line.") var json = false
    @OptionGroup var data: DataOption

    func validate() throws {
        guard cycles > 0, appenders > 0 else { throw ValidationError("cycles and appenders must be positive") }
    }

    func run() async throws {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let harness = CrashHarness(childExecutable: executable, appenders: appenders)
        let report = try await data.withDirectory { try await harness.run(cycles: cycles, directory: $0) }
        if json {
            try printJSON(report)
        } else {
            print("\(report.cycles) cycles, \(report.acked) acknowledged, \(report.lost) lost, \(report.torn) torn, \(report.notDeduplicated) not deduplicated")
        }
        if report.lost > 0 || report.torn > 0 || report.notDeduplicated > 0 { throw ExitCode(1) }
    }
}

struct CrashChildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-child", abstract: "The process `crash` kills (internal).", shouldDisplay: false)

    @Option var data: String
    @Option var appenders = 16
    @Option var cycle = 1

    func run() async throws {
        try await CrashChild.run(path: data, appenders: appenders, cycle: cycle)
    }
}
