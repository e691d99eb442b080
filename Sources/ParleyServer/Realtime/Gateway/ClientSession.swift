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
    enum Delivery {
        case joining([Publication])
        case live(lastOffset: UInt64)
    }

    struct Subscription {
        var delivery: Delivery
        var joinLeave: Bool
        /// The ``CommandLedger/accessVersion`` the channel was last allowed at.
        var allowedAt: UInt64
    }

    struct State {
        var grant: RealtimeGrant?
        var subscriptions: [String: Subscription] = [:]
        /// When the unanswered ping went out, if one did.
        var pingSentAt: ContinuousClock.Instant?
        var lastPing: ContinuousClock.Instant
        /// When this connection last refreshed its presence entries.
        var lastPresence: ContinuousClock.Instant
        /// Since when the outbox has been closing without the connection ending.
        var closingSince: ContinuousClock.Instant?
    }

    let gateway: RealtimeGateway
    let outbox: Outbox
    let clientID = UUID().uuidString.lowercased()
    let state: Mutex<State>
    let opened = ContinuousClock.now
    /// Drops the connection at once, without waiting for anything more to be written.
    let abort: @Sendable () -> Void

    /// - Parameters:
    ///   - outboxReady: Called when the outbox has something to write and its writer was idle.
    ///   - abort: Drops the connection.
    init(gateway: RealtimeGateway, outboxReady: @escaping @Sendable () -> Void, abort: @escaping @Sendable () -> Void) {
        state = Mutex(State(lastPing: opened, lastPresence: opened))
        self.gateway = gateway
        self.outbox = Outbox(limit: gateway.api.configuration.outboundQueueLimit, ready: outboxReady)
        self.abort = abort
    }

    var grant: RealtimeGrant? { state.withLock { $0.grant } }

    var channels: [String] { state.withLock { Array($0.subscriptions.keys) } }

    // MARK: Delivery

    /// Queues `publication` (or keeps it while its subscription joins). The
    /// outbox is pushed to under the session's lock, so a publication can
    /// never overtake the subscribe reply or another publication.
    func deliver(_ publication: Publication) {
        guard stillAllowed(publication.channel) else { return }
        let limit = gateway.api.configuration.outboundQueueLimit
        state.withLock { state in
            guard let grant = state.grant, var subscription = state.subscriptions[publication.channel],
                Self.shows(publication, to: grant.identity)
            else { return }
            switch subscription.delivery {
            case .joining(var waiting):
                // Waiting counts against the same bound as the outbox.
                guard waiting.count < limit else {
                    outbox.close(.slow)
                    return
                }
                waiting.append(publication)
                subscription.delivery = .joining(waiting)
                state.subscriptions[publication.channel] = subscription
            case .live(let lastOffset):
                if let offset = publication.offset {
                    guard offset > lastOffset else { return }
                    subscription.delivery = .live(lastOffset: offset)
                    state.subscriptions[publication.channel] = subscription
                }
                outbox.push(publication.push)
            }
        }
    }

    /// The channel's tail stopped: the subscription ends with Centrifugo's
    /// "insufficient state" unsubscribe (2500), on which the SDKs resubscribe
    /// and recover from their last offset, so nothing is lost.
    func channelFailed(_ channel: String) {
        unsubscribe(channel)
        outbox.push(Self.push(channel, "unsubscribe", ["code": 2500, "reason": "insufficient state"]))
    }

    /// Whether the connection may still read `channel`, checked again only
    /// when access may have been taken away since it last was. A user who
    /// left the account is disconnected (3500); a channel no longer open to
    /// the connection is unsubscribed with a push (code 2000).
    private func stillAllowed(_ channel: String) -> Bool {
        let version = gateway.api.ledger.accessVersion
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
    /// arrived meanwhile past `offset`, in one step under the session's lock
    /// so nothing slips between or ahead.
    func goLive(_ channel: String, offset: UInt64, reply: [UInt8]?) {
        state.withLock { state in
            var frames = reply.map { [$0] } ?? []
            guard var subscription = state.subscriptions[channel], case .joining(let waiting) = subscription.delivery else {
                outbox.push(contentsOf: frames)
                return
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
            outbox.push(contentsOf: frames)
        }
    }

    // MARK: Frames

    func reply(_ id: UInt32, _ name: String, _ result: JSONOut) {
        outbox.push(Self.reply(id, name, result))
    }

    func reply(_ id: UInt32, error: ReplyError) {
        outbox.push(JSONOut.object([("id", .int(Int64(id))), ("error", error.json)]).bytes)
    }

    static func reply(_ id: UInt32, _ name: String, _ result: JSONOut) -> [UInt8] {
        JSONOut.object([("id", .int(Int64(id))), (name, result)]).bytes
    }

    static func push(_ channel: String, _ kind: String, _ body: JSONOut) -> [UInt8] {
        JSONOut.object([("push", .object([("channel", .string(channel)), (kind, body)]))]).bytes
    }
}
