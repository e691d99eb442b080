import ParleyDomain
import ParleyProjections

/// The report metrics of one account, folded from its events in log order
/// by the rules of `Schemas/reports.md`, written apart from
/// ``AnalyticsProjection``: it keeps no facts, only a sum and a count per
/// metric, bucket and group, and only for the range asked.
struct ReportFold {
    /// What a conversation's facts need to know about it at the time.
    struct Conversation {
        var inbox: UInt64
        var team: UInt64?
        var assignee: UInt64?
        var labels: [String]
        var status: ConversationStatus
        /// The creation or the latest reopen (resolution times run from it).
        var openedAt: UInt64
        /// When the first-response clock started: creation, or a bot's hand-off.
        var clockStart: UInt64
        var awaitingHandOff: Bool
        var responded = false
        var waitingSince: UInt64?
    }

    /// A member of the grouping dimension; `none` for facts without one
    /// (no agent, no team, no label), and for every fact when there is no dimension.
    enum Group: Hashable, Comparable {
        case none
        case id(UInt64)
        case label(String)
    }

    struct Cell: Hashable {
        var metric: ReportMetric
        var bucket: Int64
        var group: Group
    }

    private let query: ReplayQuery
    private let wanted: Set<ReportMetric>
    /// The range's end, cut at the latest time reports reach.
    private let until: UInt64
    private var conversations: [UInt64: Conversation] = [:]
    private(set) var totals: [Cell: (sum: Double, count: Int)] = [:]
    private(set) var groups: Set<Group> = []
    /// The bucket of the latest fact: times never decrease in log order, so
    /// most facts fall into the same one and skip the calendar.
    private var currentBucket: (start: Int64, end: Int64)?

    init(_ query: ReplayQuery) {
        self.query = query
        self.wanted = Set(query.metrics)
        self.until = min(query.until, AnalyticsProjection.latestTime)
        if query.dimension == nil { groups = [.none] }
    }

    mutating func apply(_ event: ReportEvent, at time: UInt64) {
        switch event {
        case .conversationCreated(let id, let inbox, let team, let assignee, let labels, let status):
            let conversation = Conversation(
                inbox: inbox, team: team, assignee: assignee, labels: labels, status: status, openedAt: time, clockStart: time,
                awaitingHandOff: status == .pending)
            conversations[id] = conversation
            record(.conversationsCount, 1, at: time, conversation, agent: assignee)
        case .assigneeChanged(let id, let assignee):
            conversations[id]?.assignee = assignee
        case .teamChanged(let id, let team):
            conversations[id]?.team = team
        case .labelsChanged(let id, let labels):
            conversations[id]?.labels = labels
        case .statusChanged(let id, let status):
            guard var conversation = conversations[id] else { return }
            if status == .resolved {
                record(.resolutionsCount, 1, at: time, conversation, agent: conversation.assignee)
                record(.avgResolutionTime, Self.elapsed(since: conversation.openedAt, to: time), at: time, conversation, agent: conversation.assignee)
                conversation.waitingSince = nil
            } else if conversation.status == .resolved {
                conversation.openedAt = time
            }
            if status == .open && conversation.awaitingHandOff {
                conversation.awaitingHandOff = false
                if !conversation.responded { conversation.clockStart = time }
            }
            conversation.status = status
            conversations[id] = conversation
        case .messageCreated(let id, let type, let isPrivate, let sender):
            guard var conversation = conversations[id] else { return }
            if type == .incoming {
                record(.incomingMessagesCount, 1, at: time, conversation, agent: conversation.assignee)
                if conversation.waitingSince == nil { conversation.waitingSince = time }
            } else if type == .outgoing && !isPrivate {
                let agent = sender?.type == .agent ? sender?.id : nil
                if sender?.type == .agent || sender?.type == .bot {
                    record(.outgoingMessagesCount, 1, at: time, conversation, agent: agent)
                }
                if let agent {
                    if !conversation.responded {
                        conversation.responded = true
                        record(.avgFirstResponseTime, Self.elapsed(since: conversation.clockStart, to: time), at: time, conversation, agent: agent)
                    }
                    if let waiting = conversation.waitingSince {
                        record(.replyTime, Self.elapsed(since: waiting, to: time), at: time, conversation, agent: agent)
                        conversation.waitingSince = nil
                    }
                }
            }
            conversations[id] = conversation
        case .csatSubmitted(let id, let rating):
            guard let conversation = conversations[id] else { return }
            record(.csatAverage, Double(rating), at: time, conversation, agent: conversation.assignee)
            record(.csatSatisfaction, rating >= 4 ? 1 : 0, at: time, conversation, agent: conversation.assignee)
        }
    }

    /// Seconds from `start` to `end`, never negative.
    private static func elapsed(since start: UInt64, to end: UInt64) -> Double {
        Double(end - min(end, start))
    }

    private mutating func record(_ metric: ReportMetric, _ value: Double, at time: UInt64, _ conversation: Conversation, agent: UInt64?) {
        guard time >= query.since, time < until, wanted.contains(metric) else { return }
        let bucket = self.bucket(of: time)
        switch query.dimension {
        case nil: add(Cell(metric: metric, bucket: bucket, group: .none), value)
        case .agent: add(Cell(metric: metric, bucket: bucket, group: agent.map(Group.id) ?? .none), value)
        case .inbox: add(Cell(metric: metric, bucket: bucket, group: .id(conversation.inbox)), value)
        case .team: add(Cell(metric: metric, bucket: bucket, group: conversation.team.map(Group.id) ?? .none), value)
        case .label:
            if conversation.labels.isEmpty { add(Cell(metric: metric, bucket: bucket, group: .none), value) }
            for label in Set(conversation.labels) { add(Cell(metric: metric, bucket: bucket, group: .label(label)), value) }
        }
    }

    private mutating func add(_ cell: Cell, _ value: Double) {
        groups.insert(cell.group)
        totals[cell, default: (0, 0)].sum += value
        totals[cell, default: (0, 0)].count += 1
    }

    private mutating func bucket(of time: UInt64) -> Int64 {
        guard let period = query.period else { return Int64(query.since) }
        if let current = currentBucket, Int64(time) >= current.start, Int64(time) < current.end { return current.start }
        let start = period.bucketStart(of: time, timezoneOffset: query.timezoneOffset)
        currentBucket = (start, period.bucketStart(after: start, timezoneOffset: query.timezoneOffset))
        return start
    }
}

/// One line of a replay's answer.
public struct ReplayRow: Sendable, Hashable {
    public var metric: ReportMetric
    /// The bucket's start, UTC seconds (0 for one that began before 1970);
    /// the range's start when there is no period.
    public var timestamp: UInt64
    /// The dimension's member: an id, a label, or nil (none, or no dimension).
    public var group: String?
    /// Sum for counts, mean for times and ratings; 0 with no facts.
    public var value: Double
    /// Facts in the bucket (an average's divisor).
    public var count: Int
}

extension ReportFold {
    /// Every metric asked, for every group seen, in every bucket of the range
    /// (empty ones too, as the reports API answers).
    func rows(buckets: [Int64]) -> [ReplayRow] {
        var rows: [ReplayRow] = []
        for metric in query.metrics {
            for group in groups.sorted() {
                for bucket in buckets {
                    let total = totals[Cell(metric: metric, bucket: bucket, group: group)] ?? (0, 0)
                    let value = total.count == 0 ? 0 : metric.isCount ? total.sum : total.sum / Double(total.count)
                    let name: String? =
                        switch group {
                        case .none: nil
                        case .id(let id): String(id)
                        case .label(let label): label
                        }
                    rows.append(ReplayRow(metric: metric, timestamp: UInt64(max(0, bucket)), group: name, value: value, count: total.count))
                }
            }
        }
        return rows
    }
}
