import ArgumentParser
import Foundation
import ParleyLoadKit

/// `parley-load webhooks`: webhook fan-out from a real server to local endpoints.
struct WebhookFanout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Posts messages at a steady rate to a real `parley serve` with N webhooks on local endpoints; prints delivered, lost and latency.",
        discussion: """
            Starts the parley beside this tool on a fresh directory and port, and one HTTP endpoint per webhook \
            on loopback (each answers 200 at once). Sets up an account, conversations and the webhooks \
            (message_created) over the API, then posts messages at --rate for --duration seconds. Latency runs \
            from a message's send (before the append) to its first arrival at an endpoint; what has not arrived \
            --drain seconds after the load is lost.
            """)

    @Option(help: "Webhooks, each with its own endpoint.") var endpoints = 10
    @Option(help: "Messages posted per second.") var rate = 2000
    @Option(help: "Seconds of load.") var duration = 10
    @Option(help: "Keep-alive connections the messages are posted on.") var connections = 32
    @Option(help: "Conversations the messages are spread over.") var conversations = 100
    @Option(help: "Seconds to wait for late deliveries after the load.") var drain = 30
    @Flag(help: "Print one JSON line.") var json = false
    @OptionGroup var serverOptions: ServerOptions

    func validate() throws {
        guard (1...100).contains(endpoints) else { throw ValidationError("--endpoints must be from 1 to 100") }
        guard rate > 0, duration > 0, connections > 0, conversations > 0, drain >= 0 else {
            throw ValidationError("rate, duration, connections and conversations must be positive")
        }
    }

    func run() async throws {
        let benchmark = WebhookBenchmark(
            endpoints: endpoints, rate: rate, duration: .seconds(duration), connections: connections,
            conversations: conversations, drain: .seconds(drain))
        let executable = try serverOptions.executable()
        let report = try await serverOptions.withScratch {
            try await benchmark.run(serverExecutable: executable, scratch: $0, logLevel: serverOptions.serverLogLevel)
        }
        if json {
            try printJSON(report)
        } else {
            print(
                "\(report.events) messages at \(Int(report.postedPerSecond))/s to \(report.endpoints) webhooks: \(report.delivered) delivered, \(report.lost) lost, \(report.repeats) repeats, p50 \(report.p50Milliseconds) ms, p99 \(report.p99Milliseconds) ms, \(report.errors) errors"
            )
        }
        if report.errors > 0 || report.lost > 0 { throw ExitCode(1) }
    }
}
