import ArgumentParser
import Foundation
import ParleyLoadKit

/// Runs `body` with a fresh scratch directory for the server's data, removed
/// afterwards; named apart from the HTTP benchmarks', so each can tell its own servers.
func withWebSocketScratch<T>(_ body: (String) async throws -> T) async throws -> T {
    let scratch = try ScratchDirectory(prefix: "parley-load-ws")
    defer { scratch.remove() }
    return try await body(scratch.path)
}

struct WebSocketFanout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ws",
        abstract: "Opens many WebSocket connections to a real `parley serve`, posts messages over HTTP, and counts every delivery.",
        discussion: """
            Starts the parley beside this tool on a fresh directory and port, sets up an account, an \
            administrator, an API inbox and --channels conversations over the API, opens --connections \
            Centrifugo connections with the administrator's realtime token (connection i subscribes to \
            conversation i % channels), posts --rate messages a second for --duration seconds, and \
            prints what arrived: lost, duplicated, and latency from the HTTP 200 to the delivery.
            """)

    @Option(help: "WebSocket connections.") var connections = 1000
    @Option(help: "Conversations (channels) the connections subscribe to, round robin.") var channels = 1
    @Option(help: "Messages posted a second, spread over the conversations.") var rate = 10
    @Option(help: "Seconds of posting.") var duration = 10.0
    @Option(help: "Event-loop threads for the WebSocket connections.") var clientThreads = 2
    @Option(help: "Connections opened at once.") var openConcurrency = 200
    @Flag(help: "Print one JSON line.") var json = false
    @OptionGroup var serverOptions: ServerOptions

    func validate() throws {
        guard connections > 0, channels > 0, rate > 0, clientThreads > 0, openConcurrency > 0 else {
            throw ValidationError("connections, channels, rate, client threads and open concurrency must be positive")
        }
        guard channels <= connections else { throw ValidationError("channels (\(channels)) cannot exceed connections (\(connections))") }
        guard duration > 0, duration <= 3600 else { throw ValidationError("duration must be in (0, 3600] seconds") }
        guard rate <= 100_000 else { throw ValidationError("rate must be at most 100000 messages a second") }
        // A conversation takes 200 messages a minute (the server's limit).
        let perConversation = (Double(rate) * min(duration, 60) / Double(channels)).rounded(.up)
        guard perConversation <= 200 else {
            throw ValidationError(
                "\(Int(perConversation)) messages a minute per conversation; a conversation takes 200: raise --channels or lower --rate")
        }
        let files = ProcessMemory.openFileHardLimit
        guard connections + 1000 <= files else {
            throw ValidationError("\(connections) connections need more open files than the limit of \(files) allows")
        }
    }

    func run() async throws {
        let benchmark = WebSocketFanoutBenchmark(
            connections: connections, channels: channels, rate: rate, duration: .milliseconds(Int64(duration * 1000)),
            clientThreads: clientThreads, openConcurrency: openConcurrency)
        let executable = try serverOptions.executable()
        let report = try await withWebSocketScratch {
            try await benchmark.run(serverExecutable: executable, scratch: $0, logLevel: serverOptions.serverLogLevel)
        }
        if json {
            try printJSON(report)
        } else {
            print(
                "\(report.sent) messages to \(report.connections) connections on \(report.channels) channels: \(report.delivered) of \(report.expected) delivered, \(report.lost) lost, \(report.duplicated) duplicated, p50 \(report.p50Milliseconds) ms, p99 \(report.p99Milliseconds) ms, \(report.rssKiBPerConnection.map { "\($0) KiB" } ?? "?") per connection, connected in \(report.connectSeconds) s"
            )
        }
        if report.lost > 0 || report.duplicated > 0 || report.misrouted > 0 || report.errors > 0 { throw ExitCode(1) }
    }
}

struct WebSocketCatchup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ws-catchup",
        abstract: "A WebSocket client misses messages while away and catches up on reconnect; prints how long it took.",
        discussion: """
            Starts the parley beside this tool, subscribes one client to an inbox channel with recovery, \
            disconnects it, posts --missed messages over HTTP (spread over conversations of that inbox, \
            100 each), reconnects with recover, epoch and offset, and pages through history if the \
            server does not recover them all at once.
            """)

    @Option(help: "Messages posted while the client is away.") var missed = 10_000
    @Option(help: "Publications asked for per history page.") var page = 1000
    @Flag(help: "Print one JSON line.") var json = false
    @OptionGroup var serverOptions: ServerOptions

    func validate() throws {
        guard (1...1_000_000).contains(missed) else { throw ValidationError("missed must be 1...1000000") }
        guard (1...10_000).contains(page) else { throw ValidationError("page must be 1...10000") }
    }

    func run() async throws {
        let benchmark = WebSocketCatchupBenchmark(missed: missed, pageSize: page)
        let executable = try serverOptions.executable()
        let report = try await withWebSocketScratch {
            try await benchmark.run(serverExecutable: executable, scratch: $0, logLevel: serverOptions.serverLogLevel)
        }
        if json {
            try printJSON(report)
        } else {
            print(
                "missed \(report.missed), received \(report.received), \(report.lost) lost, \(report.duplicated) duplicated, caught up in \(report.catchupMilliseconds) ms (recovered: \(report.recovered), \(report.historyPages) history pages)"
            )
        }
        if report.lost > 0 || report.duplicated > 0 || report.errors > 0 { throw ExitCode(1) }
    }
}
