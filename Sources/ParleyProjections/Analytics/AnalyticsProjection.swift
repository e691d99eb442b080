import ParleyDomain

/// Report facts folded from events, per account.
///
/// Definitions (Chatwoot's, with one flaw fixed):
/// - conversations: created in the range.
/// - incoming messages: `incoming`; outgoing messages: `outgoing`, not private, sent by an agent or bot.
/// - first response time: the first public outgoing reply by an agent minus the
///   conversation's creation or, for one created pending (a bot answering),
///   minus the bot's hand-off (its first move to open); once per conversation
///   (so a reopen cannot inflate it), attributed to the replier.
/// - reply time: an agent's public reply minus `waiting_since` (set by the first
///   incoming message while nothing is pending, cleared by an agent's reply or
///   by resolving).
/// - resolution time: resolved minus opened, on every resolve; "opened" is the
///   creation, or the latest reopen (upstream measures from the creation, which
///   inflates times after a reopen).
/// - resolutions: resolves in the range.
/// - CSAT: ratings 1–5; satisfaction is the share of 4 and 5.
public struct AnalyticsProjection: Sendable, Hashable, Codable {
    struct Key: Sendable, Hashable, Comparable, Codable {
        var account: UInt64
        var conversation: UInt64

        static func < (left: Key, right: Key) -> Bool {
            (left.account, left.conversation) < (right.account, right.conversation)
        }
    }

    /// What the facts of a conversation need to know about it.
    struct Tracked: Sendable, Hashable, Codable {
        var inboxID: UInt64
        var teamID: UInt64?
        var assigneeID: UInt64?
        var labels: [String]
        var createdAt: UInt64
        var openedAt: UInt64
        var status: ConversationStatus
        var responded = false
        var waitingSince: UInt64?
        /// When the first-response clock started: creation, or the bot's hand-off.
        var responseClockStart: UInt64
        var awaitingHandOff: Bool
    }

    private(set) var facts: [UInt64: [ReportFact]] = [:]
    private(set) var tracked: [Key: Tracked] = [:]

    public init() {}

    public mutating func apply(_ stored: StoredEvent) {
        let account = stored.event.accountID
        let seconds = stored.entry.timestamp / 1000
        switch stored.event.body {
        case .conversationCreated(let e):
            let conversation = Tracked(
                inboxID: e.inboxID, teamID: e.teamID, assigneeID: e.assigneeID, labels: e.labels, createdAt: seconds,
                openedAt: seconds, status: e.status, responseClockStart: seconds, awaitingHandOff: e.status == .pending)
            tracked[Key(account: account, conversation: e.conversationID)] = conversation
            record(.conversationsCount, 1, at: seconds, for: conversation, agent: e.assigneeID, in: account)
        case .assigneeChanged(let e):
            tracked[Key(account: account, conversation: e.conversationID)]?.assigneeID = e.assigneeID
        case .teamChanged(let e):
            tracked[Key(account: account, conversation: e.conversationID)]?.teamID = e.teamID
        case .labelsChanged(let e):
            tracked[Key(account: account, conversation: e.conversationID)]?.labels = e.labels
        case .statusChanged(let e):
            let key = Key(account: account, conversation: e.conversationID)
            guard var conversation = tracked[key] else { return }
            if e.status == .resolved {
                record(.resolutionsCount, 1, at: seconds, for: conversation, agent: conversation.assigneeID, in: account)
                record(
                    .avgResolutionTime, Double(seconds - min(seconds, conversation.openedAt)), at: seconds, for: conversation,
                    agent: conversation.assigneeID, in: account)
                conversation.waitingSince = nil
            } else if conversation.status == .resolved {
                conversation.openedAt = seconds
            }
            if e.status == .open && conversation.awaitingHandOff {
                conversation.awaitingHandOff = false
                if !conversation.responded { conversation.responseClockStart = seconds }
            }
            conversation.status = e.status
            tracked[key] = conversation
        case .messageCreated(let e):
            let key = Key(account: account, conversation: e.conversationID)
            guard var conversation = tracked[key] else { return }
            switch e.messageType {
            case .incoming:
                record(.incomingMessagesCount, 1, at: seconds, for: conversation, agent: conversation.assigneeID, in: account)
                if conversation.waitingSince == nil { conversation.waitingSince = seconds }
            case .outgoing where !e.private:
                let agent = e.sender?.type == .agent ? e.sender?.id : nil
                if e.sender?.type == .agent || e.sender?.type == .bot {
                    record(.outgoingMessagesCount, 1, at: seconds, for: conversation, agent: agent, in: account)
                }
                if let agent {
                    if !conversation.responded {
                        conversation.responded = true
                        record(
                            .avgFirstResponseTime, Double(seconds - min(seconds, conversation.responseClockStart)), at: seconds,
                            for: conversation, agent: agent, in: account)
                    }
                    if let waiting = conversation.waitingSince {
                        record(.replyTime, Double(seconds - min(seconds, waiting)), at: seconds, for: conversation, agent: agent, in: account)
                        conversation.waitingSince = nil
                    }
                }
            default:
                break
            }
            tracked[key] = conversation
        case .csatSubmitted(let e):
            guard let conversation = tracked[Key(account: account, conversation: e.conversationID)] else { return }
            record(.csatAverage, Double(e.rating), at: seconds, for: conversation, agent: conversation.assigneeID, in: account)
            record(
                .csatSatisfaction, e.rating >= 4 ? 1 : 0, at: seconds, for: conversation, agent: conversation.assigneeID,
                in: account)
        default:
            break
        }
    }

    private mutating func record(
        _ metric: ReportMetric, _ value: Double, at time: UInt64, for conversation: Tracked, agent: UInt64?, in account: UInt64
    ) {
        facts[account, default: []].append(
            ReportFact(
                metric: metric, time: time, value: value, inboxID: conversation.inboxID, teamID: conversation.teamID,
                agentID: agent, labels: conversation.labels))
    }

    /// The facts of `account` for `metric` within `[since, until)` (seconds), in time order.
    public func facts(account: UInt64, metric: ReportMetric, scope: ReportScope, since: UInt64, until: UInt64) -> [ReportFact] {
        (facts[account] ?? []).filter { $0.metric == metric && $0.time >= since && $0.time < until && $0.matches(scope) }
    }
}

extension AnalyticsProjection: CanonicallyEncodable {
    /// Canonical: accounts and conversations in key order.
    public func encodeCanonically(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(facts.sorted { $0.key < $1.key }.map(\.value))
        try container.encode(tracked.sorted { $0.key < $1.key }.map(\.value))
    }
}
