import Foundation
import Hummingbird
import Logging
import NIOCore
import ParleyLog
import ParleyProjections
import Prometheus
import ServiceLifecycle

/// The running server: opens the data directory, serves the API, and on
/// SIGTERM or SIGINT stops accepting, finishes the requests in flight,
/// checkpoints and closes the log, and returns.
public enum ParleyServer {
    /// Runs until a shutdown signal.
    ///
    /// - Parameters:
    ///   - registry: Where `/metrics` reads from; the caller bootstraps
    ///     swift-metrics with it (once per process).
    ///   - onListening: Called with the bound address once the server accepts connections.
    public static func run(
        configuration: ServerConfiguration, registry: PrometheusCollectorRegistry?, logger: Logger,
        onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws {
        var logOptions = LogOptions()
        logOptions.logger = logger
        logOptions.extraFamilies.append(WebhookCursors.family)
        let ledger = try await CommandLedger.open(at: configuration.dataDirectory, options: logOptions)
        let secrets: ServerSecrets
        let origin: ServerSecrets.Origin
        do {
            (secrets, origin) = try ServerSecrets.open(in: configuration.dataDirectory, platformToken: configuration.platformToken)
            try await AutomationReactor.recordFirstStart(of: ledger)
        } catch {
            await ledger.close()
            throw error
        }
        if case .generated(let token) = origin {
            FileHandle.standardOutput.write(Data(
                """
                Parley created a new data directory at \(configuration.dataDirectory).
                Platform token (shown once; its SHA-256 is kept in \(ServerSecrets.fileName)): \(token)
                Next: create an account with
                  curl -X POST http://\(configuration.host):\(configuration.port)/platform/api/v1/accounts \\
                    -H 'api_access_token: \(token)' -H 'Content-Type: application/json' -d '{"name":"Acme"}'

                """.utf8))
        }
        let api = ParleyAPI(ledger: ledger, secrets: secrets, configuration: configuration)
        let gateway = RealtimeGateway(api: api, logger: logger)
        let application = Application(
            router: api.router(registry: registry),
            server: gateway.serverBuilder(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Parley"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                api.webhooks.boundPort.store(port, ordering: .releasing)
                do {
                    try AdminChannel.publish(
                        in: configuration.dataDirectory, host: configuration.host, port: port, token: api.adminToken)
                } catch {
                    logger.error("cannot write the admin channel file", metadata: ["error": "\(error)"])
                }
                onListening(channel.localAddress.map { "\($0.ipAddress ?? configuration.host):\(port)" } ?? "")
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: LedgerService(ledger: ledger)),
                    .init(service: api.webhooks),
                    .init(
                        service: AutomationReactor(
                            ledger: ledger, progress: api.automation, configuration: configuration, logger: logger)),
                    .init(service: gateway),
                    .init(service: application),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { AdminChannel.withdraw(from: configuration.dataDirectory) }
        try await group.run()
    }
}

/// Keeps the ledger open while the server runs and closes it (checkpointing
/// the projections) after the HTTP server has drained and the webhook
/// dispatcher has written its cursors: services stop in reverse order, and
/// this one is first.
struct LedgerService: Service {
    let ledger: CommandLedger

    func run() async throws {
        try? await gracefulShutdown()
        await ledger.close()
    }
}

extension ParleyAPI {
    /// Every route, behind the metrics and error middleware.
    public func router(registry: PrometheusCollectorRegistry?) -> Router<ParleyRequestContext> {
        let router = Router(context: ParleyRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        addOperationsRoutes(to: router, registry: registry)
        addPlatformRoutes(to: router)
        addDirectoryRoutes(to: router)
        addConversationRoutes(to: router)
        addPublicRoutes(to: router)
        addReportRoutes(to: router)
        addEventRoutes(to: router)
        addEventStreamRoutes(to: router)
        addRealtimeTokenRoutes(to: router)
        addAdminRoutes(to: router)
        addAutomationRoutes(to: router)
        return router
    }
}
