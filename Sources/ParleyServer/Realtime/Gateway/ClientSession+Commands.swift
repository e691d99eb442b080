import Foundation
import Logging
import ParleyDomain
import ParleyLog
import Synchronization

/// The protocol's commands: connect, subscribe and recover, history,
/// presence, rpc, refresh.
extension ClientSession {
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

    func handle(_ command: ClientCommand) async {
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

    func connect(_ id: UInt32, _ request: ClientCommand.Connect) async {
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

    struct SubscribeResult {
        var json: JSONOut
        var offset: UInt64
    }

    /// Joins `request.channel` and prepares its reply; the subscription stays
    /// joining until ``goLive(_:offset:reply:)`` queues that reply.
    func subscribe(_ request: ClientCommand.Subscribe, grant: RealtimeGrant) async throws -> SubscribeResult {
        let channel = request.channel
        let version = gateway.api.ledger.accessVersion
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
            // Nobody was told of a join, so nobody is told of a leave.
            unsubscribe(channel, announcing: false)
            throw ReplyError.internalError
        }
    }

    func unsubscribe(_ channel: String, announcing: Bool = true) {
        let removed = state.withLock { $0.subscriptions.removeValue(forKey: channel) != nil }
        guard removed else { return }
        gateway.hub.leave(channel, self)
        gateway.presence.remove(client: clientID, from: channel)
        if announcing, let grant { announce(channel, "leave", grant: grant) }
    }

    /// Tells the channel's other subscribers that asked for `join_leave`.
    func announce(_ channel: String, _ kind: String, grant: RealtimeGrant) {
        let frame = Self.push(
            channel, kind, ["info": ["user": .string(grant.identity.subject), "client": .string(clientID)]])
        for case let session as ClientSession in gateway.hub.subscribers(of: channel) where session !== self {
            session.pushIfJoinLeave(channel, frame)
        }
    }

    func pushIfJoinLeave(_ channel: String, _ frame: [UInt8]) {
        guard state.withLock({ $0.subscriptions[channel]?.joinLeave == true }) else { return }
        outbox.push(frame)
    }

    /// `history`: a page of the channel's publications after (or, reversed,
    /// before) a position of this epoch, up to 1,000 at a time.
    func history(_ request: ClientCommand.History, grant: RealtimeGrant) async throws -> JSONOut {
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

    func refresh(_ token: String, current: RealtimeGrant) throws -> JSONOut {
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
    func requireReadable(_ channel: String, grant: RealtimeGrant) throws(ReplyError) {
        guard gateway.mayRead(channel, identity: grant.identity) else { throw .permissionDenied }
    }
}
