import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import ParleyDomain
import ParleyLog
import ParleyProjections
import ServiceLifecycle
import Synchronization

/// `/connection/websocket`: Centrifugo's client protocol (JSON) over the log.
///
/// Each connection is a ``RealtimeConnection`` in its channel's pipeline,
/// with no task of its own while idle. One ticker serves every connection
/// each second: pings, pong deadlines, token expiry, presence, and dropping
/// a connection whose close does not get through.
public final class RealtimeGateway: Sendable {
    /// The protocol version the connect reply names.
    static let version = "parley-1"
    static let maxChannelsPerConnection = 256
    static let maxHistoryPage = 1000
    /// Seconds a connection may stay open without a connect command.
    static let connectTimeoutSeconds = 10
    /// Seconds a closing connection is given to complete the closing
    /// handshake (its socket drained, the client's close frame back) before it is dropped.
    static let closeGraceSeconds = 3
    /// Seconds the shutdown waits for commands still running on closed connections.
    static let commandsGraceSeconds = 10
    /// The most queued frames written in one WebSocket frame.
    static let framesPerWrite = 256

    let api: ParleyAPI
    let hub: ChannelHub
    let presence: PresenceRegistry
    let users: UserPresence
    /// This server's name in connect replies.
    let node = UUID().uuidString.lowercased()
    private let logger: Logger
    private let connections = Meter(label: "parley_realtime_connections")
    let slowDisconnects = Counter(label: "parley_realtime_slow_disconnects_total")
    private let sessions = Mutex<[ObjectIdentifier: ClientSession]>([:])
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    public init(api: ParleyAPI, logger: Logger) {
        self.api = api
        self.hub = ChannelHub(log: api.ledger.log, logger: logger)
        self.presence = PresenceRegistry(ttl: .seconds(api.configuration.presenceTTL))
        self.users = UserPresence { [ledger = api.ledger] command in _ = try? await ledger.execute(command, idempotencyKey: nil) }
        self.logger = logger
        ticker.withLock {
            $0 = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    guard let self else { return }
                    let now = ContinuousClock.now
                    for session in self.sessions.withLock({ Array($0.values) }) { session.tick(now: now) }
                }
            }
        }
    }

    deinit {
        ticker.withLock { $0?.cancel() }
    }

    /// The HTTP/1 server with the WebSocket upgrade at `/connection/websocket`.
    public func serverBuilder() -> HTTPServerBuilder {
        HTTPServerBuilder { [self] responder in RealtimeServerChannel(gateway: self, responder: responder) }
    }

    /// A connection was upgraded: the ticker serves it from now on.
    func opened(_ session: ClientSession) {
        sessions.withLock { $0[ObjectIdentifier(session)] = session }
        connections.increment()
    }

    /// A connection ended and its last command was handled.
    func closed(_ session: ClientSession) {
        sessions.withLock { $0[ObjectIdentifier(session)] = nil }
        connections.decrement()
    }

    // MARK: Channels

    /// Whether `identity` may subscribe to (and read the history and presence
    /// of) `channel`: users as the events route decides (``ParleyAPI/mayRead(_:_:)``,
    /// with their role as it is now), a contact only its own contact channel.
    func mayRead(_ channel: String, identity: RealtimeIdentity) -> Bool {
        switch identity {
        case .user:
            guard let member = api.member(identity), let stream = EventStream(channel, account: member.accountID) else {
                return false
            }
            return api.mayRead(stream, member)
        case .contact(let account, let contact):
            return channel == StreamNames.contact(account, contact) && api.exists(identity)
        }
    }

    /// The channel's publications after `offset` up to `top`, at most `limit`, oldest first.
    func publications(
        _ channel: String, after offset: UInt64, upTo top: UInt64, limit: Int, for identity: RealtimeIdentity
    ) async throws -> [Publication] {
        var publications: [Publication] = []
        var position = offset
        let decoder = EventCodec.decoder()
        while position < top, publications.count < limit {
            let page = try await api.ledger.log.read(
                stream: channel, after: position, limit: min(Self.maxHistoryPage, limit - publications.count))
            guard !page.isEmpty else { break }
            for entry in page {
                guard let seq = entry.seq(in: channel), seq <= top else { return publications }
                position = seq
                let publication = try Publication(
                    channel: channel, entry: entry, epoch: api.epoch, decoder: decoder)
                if ClientSession.shows(publication, to: identity) { publications.append(publication) }
            }
        }
        return publications
    }

    /// The channel's `limit` publications before `offset`, newest first.
    /// Like the forward read it pages on until `limit` are shown or the
    /// stream begins, so a `user:` channel (which spans accounts) never
    /// answers a short page while older publications of the account remain.
    func publications(_ channel: String, before offset: UInt64, limit: Int, for identity: RealtimeIdentity) async throws
        -> [Publication]
    {
        var publications: [Publication] = []
        var position = offset
        let decoder = EventCodec.decoder()
        while position > 1, publications.count < limit {
            let page = try await api.ledger.log.read(
                stream: channel, before: position, limit: min(Self.maxHistoryPage, limit - publications.count))
            guard let last = page.last, let seq = last.seq(in: channel) else { break }
            position = seq
            for entry in page {
                let publication = try Publication(channel: channel, entry: entry, epoch: api.epoch, decoder: decoder)
                if ClientSession.shows(publication, to: identity) { publications.append(publication) }
            }
        }
        return publications
    }
}

/// Keeps the ledger open for the commands of connections that closed while
/// they ran: it stops after the HTTP server, whose shutdown closes every
/// connection, and before the ledger (services stop in reverse order).
extension RealtimeGateway: Service {
    public func run() async throws {
        try? await gracefulShutdown()
        let deadline = ContinuousClock.now + .seconds(Self.commandsGraceSeconds)
        while sessions.withLock({ !$0.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
