import ArgumentParser
import Foundation
import ParleyLoadKit

/// Where the HTTP benchmarks find `parley` and how loud its log is.
struct ServerOptions: ParsableArguments {
    @Option(help: "The parley executable (default: the one beside parley-load).")
    var server: String?
    @Option(help: "The server's log level (default: its own, info; the log is read from a pipe, its end shown on failure).")
    var serverLogLevel: String?

    func executable() throws -> String {
        try server ?? HTTPServerProcess.siblingExecutable()
    }

    /// Runs `body` with a fresh scratch directory for the server's data, removed afterwards.
    func withScratch<T>(_ body: (String) async throws -> T) async throws -> T {
        let scratch = try ScratchDirectory(prefix: "parley-load-http")
        defer { scratch.remove() }
        return try await body(scratch.path)
    }
}

struct HTTPMessages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Posts messages over keep-alive HTTP/1.1 to a real `parley serve`; prints rate and latency.",
        discussion: """
            Starts the parley beside this tool on a fresh directory and port, sets up an account, an \
            administrator, an API inbox and conversations over the API, then each connection posts a \
            message, waits for its answer (sent after the fsync) and posts the next.
            """)

    @Option(help: "Keep-alive connections, each with one request in flight.") var connections = 50
    @Option(help: "Seconds of timed load.") var duration = 10.0
    @Option(help: "Seconds of load before timing starts.") var warmup = 1.0
    @Option(
        help: "Conversations the messages go to. A conversation takes 200 messages a minute, so keep this above messages/s × seconds / 200.")
    var conversations = 2000
    @Option(help: "Bytes of message content.") var payload = 200
    @Option(help: "Event-loop threads of the client.") var clientThreads = 1
    @Option(help: "Webhooks (each its own local endpoint, subscribed to message_created) delivering beside the load.")
    var webhooks = 0
    @Flag(help: "Print one JSON line.") var json = false
    @OptionGroup var serverOptions: ServerOptions

    func validate() throws {
        guard (0...100).contains(webhooks) else { throw ValidationError("webhooks must be 0...100") }
        guard connections > 0, conversations > 0, clientThreads > 0 else {
            throw ValidationError("connections, conversations and client threads must be positive")
        }
        guard duration > 0, warmup >= 0 else { throw ValidationError("duration must be positive and warmup not negative") }
        guard (1...100_000).contains(payload) else { throw ValidationError("payload must be 1...100000 bytes") }
    }

    func run() async throws {
        let benchmark = HTTPMessageBenchmark(
            connections: connections, conversations: conversations, duration: .milliseconds(Int64(duration * 1000)),
            warmup: .milliseconds(Int64(warmup * 1000)), payloadBytes: payload, clientThreads: clientThreads,
            webhooks: webhooks)
        let executable = try serverOptions.executable()
        let report = try await serverOptions.withScratch {
            try await benchmark.run(serverExecutable: executable, scratch: $0, logLevel: serverOptions.serverLogLevel)
        }
        if json {
            try printJSON(report)
        } else {
            print("\(report.requests) messages over \(report.connections) connections in \(report.durationSeconds) s: \(Int(report.requestsPerSecond)) messages/s, p50 \(report.p50Milliseconds) ms, p99 \(report.p99Milliseconds) ms, \(report.errors) errors")
        }
        if report.errors > 0 { throw ExitCode(1) }
    }
}

struct HTTPList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-list",
        abstract: "Lists conversations over HTTP in an account with many; prints latency.",
        discussion: """
            Writes an account with that many conversations through the ledger in-process, closes it, \
            starts the parley beside this tool on it, and asks for pages of 25 open conversations \
            (Chatwoot's default sort), pages 1 to --pages in turn.
            """)

    @Option(help: "Conversations in the account.") var conversations = 100_000
    @Option(help: "Timed list requests in all.") var requests = 2000
    @Option(help: "Keep-alive connections, each with one request in flight.") var connections = 1
    @Option(help: "Pages asked for, in turn from 1.") var pages = 20
    @Flag(help: "Print one JSON line.") var json = false
    @OptionGroup var serverOptions: ServerOptions

    func validate() throws {
        guard conversations > 0, requests > 0, connections > 0, pages > 0 else {
            throw ValidationError("conversations, requests, connections and pages must be positive")
        }
    }

    func run() async throws {
        let benchmark = HTTPListBenchmark(conversations: conversations, requests: requests, connections: connections, pages: pages)
        let executable = try serverOptions.executable()
        let report = try await serverOptions.withScratch {
            try await benchmark.run(serverExecutable: executable, scratch: $0, logLevel: serverOptions.serverLogLevel)
        }
        if json {
            try printJSON(report)
        } else {
            print("\(report.requests) lists of 25 among \(report.conversations) conversations: p50 \(report.p50Milliseconds) ms, p99 \(report.p99Milliseconds) ms, \(Int(report.requestsPerSecond)) lists/s, \(report.errors) errors")
        }
        if report.errors > 0 { throw ExitCode(1) }
    }
}
