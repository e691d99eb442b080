import ArgumentParser
import Foundation
import Logging
import Metrics
import ParleyServer
import Prometheus

@main
struct Parley: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parley: a live-chat message broker with a Chatwoot-compatible API.",
        subcommands: [Serve.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server on a data directory (created on first start).")

    @Option(help: "A JSON config file (also PARLEY_CONFIG).")
    var config: String?
    @Option(help: "The data directory (default ./data; PARLEY_DATA).")
    var data: String?
    @Option(help: "The address to listen on (default 127.0.0.1; PARLEY_HOST).")
    var host: String?
    @Option(help: "The port to listen on (default 3000, 0 picks a free one; PARLEY_PORT).")
    var port: Int?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var settings = ServerConfiguration()
        do {
            if let file = config ?? environment["PARLEY_CONFIG"] { try settings.apply(file: file) }
            try settings.apply(environment: environment)
            if let data { try settings.set("data", to: data) }
            if let host { try settings.set("host", to: host) }
            if let port { try settings.set("port", to: String(port)) }
        } catch {
            throw ValidationError("\(error)")
        }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "parley")
        let dataDirectory = settings.dataDirectory
        do {
            try await ParleyServer.run(configuration: settings, registry: registry, logger: logger) { address in
                let line = "Parley is listening on http://\(address) (data: \(dataDirectory))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        } catch {
            logger.critical("server stopped", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}
