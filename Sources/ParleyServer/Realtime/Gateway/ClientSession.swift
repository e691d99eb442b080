import Foundation
import Logging
import ParleyDomain
import ParleyLog
import Synchronization

/// One WebSocket connection speaking Centrifugo's client protocol: its
/// identity, its subscriptions and its outbound queue.
///
/// Commands are handled one at a time, in the order they arrive; replies and
/// pushes leave through one ``Outbox`` in the order they were queued.
final class ClientSession: ChannelSubscriber, Sendable {
    /// How a subscription receives: while its subscribe reply is being
    /// prepared, live publications wait here; once the reply is queued, they
    /// go straight to the outbox, each only if it is past the last offset sent.
    private enum Delivery {
        case joining([Publication])
        case live(lastOffset: UInt64)
    }

    private struct Subscription {
        var delivery: Delivery
        var joinLeave: Bool
        /// The ``ParleyAPI/accessVersion`` the channel was last allowed at.
        var allowedAt: UInt64
    }

    private struct State {
        var grant: RealtimeGrant?
        var subscriptions: [String: Subscription] = [:]
        /// When the unanswered ping went out, if one did.
        var pingSentAt: ContinuousClock.Instant?
        var lastPing: ContinuousClock.Instant
        /// Since when the outbox has been closing without the connection ending.
        var closingSince: ContinuousClock.Instant?
        var aborted = false
        var abortWaiter: CheckedContinuation<Void, Never>?
    }

    let gateway: RealtimeGateway
    let outbox: Outbox
    let clientID = UUID().uuidString.lowercased()
    private let state: Mutex<State>
    private let opened = ContinuousClock.now

    init(gateway: RealtimeGateway) {
        state = Mutex(State(lastPing: opened))
        self.gateway = gateway
        self.outbox = Outbox(limit: gateway.api.configuration.outboundQueueLimit)
    }

    var grant: RealtimeGrant? { state.withLock { $0.grant } }

    var channels: [String] { state.withLock { Array($0.subscriptions.keys) } }

    // MARK: Delivery

    func deliver(_ publication: Publication) {
        guard stillAllowed(publication.channel) else { return }
        let frames: [[UInt8]]? = state.withLock { state in
            guard let grant = state.grant, var subscription = state.subscriptions[publication.channel],
                Self.shows(publication, to: grant.identity)
            else { return nil }
            switch subscription.delivery {
            case .joining(var waiting):
                waiting.append(publication)
                subscription.delivery = .joining(waiting)
                state.subscriptions[publication.channel] = subscription
                return nil
            case .live(let lastOffset):
                if let offset = publication.offset {
                    guard offset > lastOffset else { return nil }
                    subscription.delivery = .live(lastOffset: offset)
                    state.subscriptions[publication.channel] = subscription
                }
                return [publication.push]
            }
        }
        if let frames, frames.count > gateway.api.configuration.outboundQueueLimit {
            outbox.close(.slow)
        } else if let frames {
            outbox.push(contentsOf: frames)
        }
    }

    /// Whether the connection may still read `channel`, checked again only
    /// when access may have been taken away since it last was. A user who
    /// left the account is disconnected (3500); a channel no longer open to
    /// the connection is unsubscribed with a push (code 2000).
    private func stillAllowed(_ channel: String) -> Bool {
        let version = gateway.api.accessVersion.load(ordering: .acquiring)
        let (grant, allowedAt) = state.withLock { ($0.grant, $0.subscriptions[channel]?.allowedAt) }
        guard let grant, let allowedAt else { return false }
        if allowedAt == version { return true }
        if gateway.mayRead(channel, identity: grant.identity) {
            state.withLock { $0.subscriptions[channel]?.allowedAt = version }
            return true
        }
        if gateway.api.exists(grant.identity) {
            unsubscribe(channel)
            outbox.push(Self.push(channel, "unsubscribe", ["code": 2000, "reason": "permission denied"]))
        } else {
            outbox.close(.invalidToken)
        }
        return false
    }

    /// Whether `identity` sees `publication`: a user stream spans accounts
    /// and shows only the connection's account; an ephemeral publication
    /// (typing) is not echoed to whoever caused it.
    static func shows(_ publication: Publication, to identity: RealtimeIdentity) -> Bool {
        guard publication.accountID == identity.accountID else { return false }
        if let actor = publication.actor, actor == identity.principal { return false }
        return true
    }

    /// Moves a joining subscription to live: queues its reply, then what
    /// arrived meanwhile past `offset`, in one step so nothing slips between.
    private func goLive(_ channel: String, offset: UInt64, reply: [UInt8]?) {
        let frames: [[UInt8]] = state.withLock { state in
            var frames = reply.map { [$0] } ?? []
            guard var subscription = state.subscriptions[channel], case .joining(let waiting) = subscription.delivery else {
                return frames
            }
            var last = offset
            for publication in waiting {
                if let position = publication.offset {
                    guard position > last else { continue }
                    last = position
                }
                frames.append(publication.push)
            }
            subscription.delivery = .live(lastOffset: last)
            state.subscriptions[channel] = subscription
            return frames
        }
        outbox.push(contentsOf: frames)
    }

    // MARK: Commands

    /// Handles one text frame: one or more commands separated by newlines.
    func receive(_ frame: [UInt8]) async {
        for line in frame.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            if outbox.isClosing { return }
            let command: ClientCommand
            do {
                command = try ClientCommand.parse(Array(line))
            } catch {
                switch error {
                case .malformed:
                    outbox.close(.badRequest)
                    return
                case .refused(let id, let error):
                    reply(id, error: error)
                    continue
                }
            }
            await handle(command)
        }
    }

    private func handle(_ command: ClientCommand) async {
        let id = command.id
        if case .pong = command.method {
            state.withLock { $0.pingSentAt = nil }
            return
        }
        guard let grant else {
            if case .connect(let connect) = command.method {
                await self.connect(id, connect)
            } else {
                outbox.close(.badRequest)
            }
            return
        }
        do {
            switch command.method {
            case .connect: outbox.close(.badRequest)
            case .subscribe(let request):
                let result = try await subscribe(request, grant: grant)
                goLive(request.channel, offset: result.offset, reply: Self.reply(id, "subscribe", result.json))
            case .unsubscribe(let channel):
                unsubscribe(channel)
                reply(id, "unsubscribe", [:])
            case .publish: throw ReplyError.permissionDenied
            case .presence(let channel):
                try requireReadable(channel, grant: grant)
                let clients = gateway.presence.clients(in: channel)
                reply(
                    id, "presence",
                    ["presence": .object(clients.map { ($0.client, ["client": .string($0.client), "user": .string($0.user)]) })])
            case .presenceStats(let channel):
                try requireReadable(channel, grant: grant)
                let clients = gateway.presence.clients(in: channel)
                reply(
                    id, "presence_stats",
                    ["num_clients": .int(Int64(clients.count)), "num_users": .int(Int64(Set(clients.map(\.user)).count))])
            case .history(let request):
                reply(id, "history", try await history(request, grant: grant))
            case .ping: reply(id, "ping", [:])
            case .send, .pong: break
            case .rpc(let method, let data):
                reply(id, "rpc", ["data": try await gateway.rpc(method, data: data, identity: grant.identity)])
            case .refresh(let token):
                reply(id, "refresh", try refresh(token, current: grant))
            case .subRefresh(let channel):
                guard state.withLock({ $0.subscriptions[channel] != nil }) else { throw ReplyError.permissionDenied }
                reply(id, "sub_refresh", ["expires": false])
            }
        } catch let error as ReplyError {
            reply(id, error: error)
        } catch let disconnect as Disconnect {
            outbox.close(disconnect)
        } catch {
            reply(id, error: .internalError)
        }
    }

    private func connect(_ id: UInt32, _ request: ClientCommand.Connect) async {
        let grant: RealtimeGrant
        do {
            grant = try gateway.api.verifyRealtimeToken(request.token)
        } catch .expired {
            reply(id, error: .tokenExpired)
            return
        } catch {
            outbox.close(.invalidToken)
            return
        }
        state.withLock { $0.grant = grant }
        if case .user(let account, let user) = grant.identity {
            gateway.users.connected(account: account, user: user)
            markPresent(grant)
        }
        var subs: [(String, JSONOut)] = []
        var refused: [String] = []
        var live: [(channel: String, offset: UInt64)] = []
        for (channel, subscribe) in request.subs {
            do {
                let result = try await self.subscribe(subscribe, grant: grant)
                subs.append((channel, result.json))
                live.append((channel, result.offset))
            } catch {
                refused.append(channel)
            }
        }
        let ttl = grant.expiresAt > ParleyAPI.now() ? grant.expiresAt - ParleyAPI.now() : 0
        let configuration = gateway.api.configuration
        var result: [(String, JSONOut)] = [
            ("client", .string(clientID)), ("version", .string(RealtimeGateway.version)), ("expires", true),
            ("ttl", .uint(ttl)),
        ]
        if configuration.pingInterval > 0 {
            result += [("ping", .int(Int64(configuration.pingInterval))), ("pong", true)]
        }
        if !subs.isEmpty { result.append(("subs", .object(subs))) }
        result.append(("node", .string(gateway.node)))
        outbox.push(Self.reply(id, "connect", .object(result)))
        for channel in refused {
            outbox.push(Self.push(channel, "unsubscribe", ["code": 2000, "reason": "permission denied"]))
        }
        // Each subscription's waiting publications follow the connect reply.
        for (channel, offset) in live {
            goLive(channel, offset: offset, reply: nil)
        }
    }

    private struct SubscribeResult {
        var json: JSONOut
        var offset: UInt64
    }

    /// Joins `request.channel` and prepares its reply; the subscription stays
    /// joining until ``goLive(_:offset:reply:)`` queues that reply.
    private func subscribe(_ request: ClientCommand.Subscribe, grant: RealtimeGrant) async throws -> SubscribeResult {
        let channel = request.channel
        let version = gateway.api.accessVersion.load(ordering: .acquiring)
        try requireReadable(channel, grant: grant)
        let count = state.withLock { $0.subscriptions.count }
        guard count < RealtimeGateway.maxChannelsPerConnection else { throw ReplyError.limitExceeded }
        let log = gateway.api.ledger.log
        let head: UInt64
        do {
            head = try await log.head(of: channel)
        } catch {
            throw ReplyError.internalError
        }
        let added = state.withLock { state -> Bool in
            guard state.subscriptions[channel] == nil else { return false }
            state.subscriptions[channel] = Subscription(delivery: .joining([]), joinLeave: request.joinLeave, allowedAt: version)
            return true
        }
        guard added else { throw ReplyError.alreadySubscribed }
        gateway.hub.join(channel, self, head: head)
        do {
            let top = try await log.head(of: channel)
            var members: [(String, JSONOut)] = [
                ("expires", false), ("ttl", 0), ("recoverable", true), ("epoch", .string(log.epoch)), ("offset", .uint(top)),
                ("positioned", true),
            ]
            if request.recover {
                members.append(("was_recovering", true))
                let gap = request.offset <= top ? top - request.offset : UInt64.max
                if request.epoch == log.epoch, gap <= UInt64(gateway.api.configuration.recoveryLimit) {
                    let publications = try await gateway.publications(
                        channel, after: request.offset, upTo: top, limit: Int(gap), for: grant.identity)
                    members.append(("publications", .array(publications.map { .raw($0.json) })))
                    members.append(("recovered", true))
                } else {
                    members.append(("recovered", false))
                }
            }
            gateway.presence.mark(.init(client: clientID, user: grant.identity.subject), in: channel)
            announce(channel, "join", grant: grant)
            return SubscribeResult(json: .object(members), offset: top)
        } catch {
            unsubscribe(channel)
            throw ReplyError.internalError
        }
    }

    private func unsubscribe(_ channel: String) {
        let removed = state.withLock { $0.subscriptions.removeValue(forKey: channel) != nil }
        guard removed else { return }
        gateway.hub.leave(channel, self)
        gateway.presence.remove(client: clientID, from: channel)
        if let grant { announce(channel, "leave", grant: grant) }
    }

    /// Tells the channel's other subscribers that asked for `join_leave`.
    private func announce(_ channel: String, _ kind: String, grant: RealtimeGrant) {
        let frame = Self.push(
            channel, kind, ["info": ["user": .string(grant.identity.subject), "client": .string(clientID)]])
        for case let session as ClientSession in gateway.hub.subscribers(of: channel) where session !== self {
            session.pushIfJoinLeave(channel, frame)
        }
    }

    private func pushIfJoinLeave(_ channel: String, _ frame: [UInt8]) {
        guard state.withLock({ $0.subscriptions[channel]?.joinLeave == true }) else { return }
        outbox.push(frame)
    }

    /// `history`: a page of the channel's publications after (or, reversed,
    /// before) a position of this epoch, up to 1,000 at a time.
    private func history(_ request: ClientCommand.History, grant: RealtimeGrant) async throws -> JSONOut {
        try requireReadable(request.channel, grant: grant)
        let log = gateway.api.ledger.log
        let top: UInt64
        do {
            top = try await log.head(of: request.channel)
        } catch {
            throw ReplyError.internalError
        }
        if let since = request.since, since.epoch != log.epoch || since.offset > top {
            throw ReplyError.unrecoverablePosition
        }
        let limit = request.limit < 0 ? RealtimeGateway.maxHistoryPage : min(request.limit, RealtimeGateway.maxHistoryPage)
        var publications: [Publication] = []
        if limit > 0 {
            do {
                if request.reverse {
                    publications = try await gateway.publications(
                        request.channel, before: request.since.map(\.offset) ?? top + 1, limit: limit, for: grant.identity)
                } else {
                    publications = try await gateway.publications(
                        request.channel, after: request.since?.offset ?? 0, upTo: top, limit: limit, for: grant.identity)
                }
            } catch {
                throw ReplyError.internalError
            }
        }
        return [
            "publications": .array(publications.map { .raw($0.json) }), "epoch": .string(log.epoch), "offset": .uint(top),
        ]
    }

    private func refresh(_ token: String, current: RealtimeGrant) throws -> JSONOut {
        let grant: RealtimeGrant
        do {
            grant = try gateway.api.verifyRealtimeToken(token)
        } catch .expired {
            throw ReplyError.tokenExpired
        } catch {
            throw Disconnect.invalidToken
        }
        guard grant.identity == current.identity else { throw Disconnect.invalidToken }
        state.withLock { $0.grant = grant }
        return [
            "client": .string(clientID), "version": .string(RealtimeGateway.version), "expires": true,
            "ttl": .uint(grant.expiresAt - min(grant.expiresAt, ParleyAPI.now())),
        ]
    }

    /// Refuses a channel the connection may not read, malformed or not,
    /// existing or not, with one and the same error.
    private func requireReadable(_ channel: String, grant: RealtimeGrant) throws(ReplyError) {
        guard gateway.mayRead(channel, identity: grant.identity) else { throw .permissionDenied }
    }

    // MARK: Housekeeping

    /// Called every second: pings, the pong deadline, token expiry, presence,
    /// and dropping a connection whose close does not get through.
    func tick(now: ContinuousClock.Instant) {
        let configuration = gateway.api.configuration
        if outbox.isClosing {
            let since = state.withLock { state in
                if state.closingSince == nil { state.closingSince = now }
                return state.closingSince!
            }
            if now - since > .seconds(RealtimeGateway.closeGraceSeconds) { abort() }
            return
        }
        guard let grant else {
            if now - opened > .seconds(RealtimeGateway.connectTimeoutSeconds) { outbox.close(.stale) }
            return
        }
        if grant.expiresAt <= ParleyAPI.now() {
            outbox.close(.expired)
            return
        }
        guard configuration.pingInterval > 0 else { return }
        let (sentAt, lastPing) = state.withLock { ($0.pingSentAt, $0.lastPing) }
        if let sentAt, now - sentAt > .seconds(configuration.pongTimeout) {
            outbox.close(.noPong)
            return
        }
        if now - lastPing >= .seconds(configuration.pingInterval) {
            state.withLock { state in
                state.lastPing = now
                if state.pingSentAt == nil { state.pingSentAt = now }
            }
            outbox.push(Array("{}".utf8))
            markPresent(grant)
        }
    }

    /// Returns once the connection must be dropped without waiting any longer.
    func untilAborted() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.aborted { return true }
                state.abortWaiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    var isAborted: Bool { state.withLock { $0.aborted } }

    /// Ends ``untilAborted()``: the connection's tasks stop and its socket closes.
    func abort() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.aborted = true
            defer { state.abortWaiter = nil }
            return state.abortWaiter
        }
        waiter?.resume()
    }

    /// Refreshes this connection's presence: in its channels, and for a
    /// user in the account channel, which lists everyone connected.
    private func markPresent(_ grant: RealtimeGrant) {
        let client = PresenceRegistry.Client(client: clientID, user: grant.identity.subject)
        var channels = Set(self.channels)
        if case .user(let account, _) = grant.identity { channels.insert(StreamNames.account(account)) }
        for channel in channels { gateway.presence.mark(client, in: channel) }
    }

    /// Leaves every channel and the account's presence; the connection is gone.
    func close() {
        for channel in channels { unsubscribe(channel) }
        outbox.finish()
        if let grant, case .user(let account, let user) = grant.identity {
            gateway.presence.remove(client: clientID, from: StreamNames.account(account))
            gateway.users.disconnected(account: account, user: user)
        }
    }

    // MARK: Frames

    private func reply(_ id: UInt32, _ name: String, _ result: JSONOut) {
        outbox.push(Self.reply(id, name, result))
    }

    private func reply(_ id: UInt32, error: ReplyError) {
        outbox.push(JSONOut.object([("id", .int(Int64(id))), ("error", error.json)]).bytes)
    }

    static func reply(_ id: UInt32, _ name: String, _ result: JSONOut) -> [UInt8] {
        JSONOut.object([("id", .int(Int64(id))), (name, result)]).bytes
    }

    static func push(_ channel: String, _ kind: String, _ body: JSONOut) -> [UInt8] {
        JSONOut.object([("push", .object([("channel", .string(channel)), (kind, body)]))]).bytes
    }
}
