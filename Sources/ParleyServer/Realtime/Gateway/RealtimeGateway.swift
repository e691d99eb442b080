import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import Metrics
import NIOCore
import NIOWebSocket
import ParleyDomain
import ParleyLog
import ParleyProjections
import ServiceLifecycle
import Synchronization

/// `/connection/websocket`: Centrifugo's client protocol (JSON) over the log.
///
/// Each connection runs two tasks: one reads and handles commands in order,
/// one writes its ``Outbox``; the first to end (or an abort) ends the other.
/// One ticker serves every connection each second: pings, pong deadlines,
/// token expiry, presence.
public final class RealtimeGateway: Sendable {
    /// The protocol version the connect reply names.
    static let version = "parley-1"
    static let maxChannelsPerConnection = 256
    static let maxHistoryPage = 1000
    /// Seconds a connection may stay open without a connect command.
    static let connectTimeoutSeconds = 10
    /// Seconds a closing connection whose socket does not drain is given before it is dropped.
    static let closeGraceSeconds = 3
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
    private let slowDisconnects = Counter(label: "parley_realtime_slow_disconnects_total")
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
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            ws: WebSocketServerConfiguration(
                maxFrameSize: api.configuration.maxFrameBytes, autoPing: .disabled, closeTimeout: .seconds(2)))
        return .http1WebSocketUpgrade(configuration: configuration) { [self] head, _, _ in
            guard head.path?.split(separator: "?").first == "/connection/websocket" else { return .dontUpgrade }
            return .upgrade([:]) { inbound, outbound, _ in await self.serve(inbound: inbound, outbound: outbound) }
        }
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let session = ClientSession(gateway: self)
        let key = ObjectIdentifier(session)
        sessions.withLock { $0[key] = session }
        connections.increment()
        defer {
            connections.decrement()
            sessions.withLock { $0[key] = nil }
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.read(inbound, into: session) }
                group.addTask { await self.write(session, to: outbound) }
                group.addTask { await session.untilAborted() }
                _ = await group.next()
                // Our close frame is out: read (and drop) what the client still
                // sends until it answers, or the ticker gives up on it. Closing
                // the socket under a client still writing would reset it, and
                // its side would lose our last replies and the close code.
                if session.outbox.isClosing, !session.isAborted { _ = await group.next() }
                group.cancelAll()
                session.abort()
            }
        } onGracefulShutdown: {
            session.outbox.close(.shutdown)
        }
        // A writer stuck behind a client that stopped reading never wrote the
        // close; queue it behind what is pending (a no-op once one was sent),
        // giving up when even that cannot get through.
        if let reason = session.outbox.closingReason {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await outbound.close(.init(codeNumber: Int(reason.code)), reason: reason.reason) }
                group.addTask { try? await Task.sleep(for: .seconds(Self.closeGraceSeconds)) }
                _ = await group.next()
                group.cancelAll()
            }
        }
        session.close()
    }

    private func read(_ inbound: WebSocketInboundStream, into session: ClientSession) async {
        do {
            for try await message in inbound.messages(maxSize: api.configuration.maxFrameBytes) {
                guard case .text(let text) = message else {
                    session.outbox.close(.badRequest)
                    continue
                }
                await session.receive(Array(text.utf8))
            }
        } catch {
            session.outbox.close(.badRequest)
            return
        }
        session.outbox.finish()
    }

    private func write(_ session: ClientSession, to outbound: WebSocketOutboundWriter) async {
        do {
            while true {
                switch await session.outbox.next() {
                case .frames(let frames):
                    var start = 0
                    while start < frames.count {
                        let end = min(start + Self.framesPerWrite, frames.count)
                        var buffer = ByteBuffer()
                        for index in start..<end {
                            if index > start { buffer.writeInteger(UInt8(ascii: "\n")) }
                            buffer.writeBytes(frames[index])
                        }
                        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: buffer)))
                        start = end
                    }
                case .close(let reason):
                    if let reason {
                        if reason == .slow { slowDisconnects.increment() }
                        try await outbound.close(.init(codeNumber: Int(reason.code)), reason: reason.reason)
                    }
                    return
                }
            }
        } catch {
            session.outbox.finish()
        }
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
