import Foundation
import ParleyDomain
import ParleyProjections

/// A deliberately plain recomputation of every report metric from the stored
/// events, written apart from `AnalyticsProjection` to check it: events are
/// first grouped by conversation, each conversation is walked on its own, and
/// buckets come from Foundation's `Calendar` in a fixed-offset time zone.
struct NaiveReports {
    /// One measurement, with the dimensions it had when it happened.
    struct Fact: Hashable {
        var metric: ReportMetric
        var account: UInt64
        var conversation: UInt64
        /// Whole seconds since 1970.
        var time: UInt64
        var value: Double
        var agent: UInt64?
        var inbox: UInt64
        var team: UInt64?
        var labels: Set<String>
    }

    private(set) var facts: [Fact] = []

    /// Every fact the events imply, conversation by conversation.
    init(events: [StoredEvent]) {
        // Group by conversation, keeping log order inside each.
        var order: [ConversationKey] = []
        var grouped: [ConversationKey: [StoredEvent]] = [:]
        for stored in events {
            guard let id = Self.conversationID(of: stored.event.body) else { continue }
            let key = ConversationKey(account: stored.event.accountID, conversation: id)
            if grouped[key] == nil { order.append(key) }
            grouped[key, default: []].append(stored)
        }
        for key in order {
            facts += Self.walk(key, grouped[key]!)
        }
    }

    struct ConversationKey: Hashable {
        var account: UInt64
        var conversation: UInt64
    }

    static func conversationID(of body: EventBody) -> UInt64? {
        switch body {
        case .conversationCreated(let e): e.conversationID
        case .assigneeChanged(let e): e.conversationID
        case .teamChanged(let e): e.conversationID
        case .labelsChanged(let e): e.conversationID
        case .statusChanged(let e): e.conversationID
        case .messageCreated(let e): e.conversationID
        case .csatSubmitted(let e): e.conversationID
        default: nil
        }
    }

    /// The facts of one conversation, from its own events in log order.
    private static func walk(_ key: ConversationKey, _ events: [StoredEvent]) -> [Fact] {
        // Nothing is measured before the conversation exists.
        guard let createdIndex = events.firstIndex(where: { if case .conversationCreated = $0.event.body { true } else { false } }),
            case .conversationCreated(let created) = events[createdIndex].event.body
        else { return [] }
        let history = Array(events[createdIndex...])
        let createdAt = history[0].entry.timestamp / 1000

        // The dimensions in force at each event, after it applied.
        var inbox = created.inboxID
        var assignee = created.assigneeID
        var team = created.teamID
        var labels = Set(created.labels)
        var result: [Fact] = []
        func fact(_ metric: ReportMetric, _ value: Double, at time: UInt64, agent: UInt64?) {
            result.append(
                Fact(
                    metric: metric, account: key.account, conversation: key.conversation, time: time, value: value, agent: agent,
                    inbox: inbox, team: team, labels: labels))
        }

        // Pass 1: dimensions, counts, CSAT and resolutions, using the events' own previous status.
        var openedAt = createdAt
        for stored in history {
            let time = stored.entry.timestamp / 1000
            switch stored.event.body {
            case .conversationCreated(let e):
                inbox = e.inboxID
                fact(.conversationsCount, 1, at: time, agent: assignee)
            case .assigneeChanged(let e):
                assignee = e.assigneeID
            case .teamChanged(let e):
                team = e.teamID
            case .labelsChanged(let e):
                labels = Set(e.labels)
            case .statusChanged(let e):
                if e.status == .resolved {
                    fact(.resolutionsCount, 1, at: time, agent: assignee)
                    fact(.avgResolutionTime, Double(time) - Double(openedAt), at: time, agent: assignee)
                } else if e.previousStatus == .resolved {
                    openedAt = time
                }
            case .messageCreated(let e):
                if e.messageType == .incoming {
                    fact(.incomingMessagesCount, 1, at: time, agent: assignee)
                }
                if e.messageType == .outgoing, !e.private, let sender = e.sender, sender.type == .agent || sender.type == .bot {
                    fact(.outgoingMessagesCount, 1, at: time, agent: sender.type == .agent ? sender.id : nil)
                }
            case .csatSubmitted(let e):
                fact(.csatAverage, Double(e.rating), at: time, agent: assignee)
                fact(.csatSatisfaction, (4...5).contains(e.rating) ? 1 : 0, at: time, agent: assignee)
            default:
                break
            }
        }

        // Pass 2: first response and reply times, with the dimensions replayed again.
        inbox = created.inboxID
        assignee = created.assigneeID
        team = created.teamID
        labels = Set(created.labels)
        let humanReplies = history.indices.filter { index in
            if case .messageCreated(let e) = history[index].event.body {
                return e.messageType == .outgoing && !e.private && e.sender?.type == .agent
            }
            return false
        }
        let firstReply = humanReplies.first
        // A conversation a bot took first (created pending) starts the clock at
        // its first move to open, if that came before the first human reply.
        var clockStart = createdAt
        if created.status == .pending,
            let handOff = history.firstIndex(where: { if case .statusChanged(let e) = $0.event.body { e.status == .open } else { false } }),
            handOff < (firstReply ?? history.count)
        {
            clockStart = history[handOff].entry.timestamp / 1000
        }
        var waitingSince: UInt64?
        for (index, stored) in history.enumerated() {
            let time = stored.entry.timestamp / 1000
            switch stored.event.body {
            case .assigneeChanged(let e): assignee = e.assigneeID
            case .teamChanged(let e): team = e.teamID
            case .labelsChanged(let e): labels = Set(e.labels)
            case .statusChanged(let e):
                // A resolve ends the wait (the contact's question is closed).
                if e.status == .resolved { waitingSince = nil }
            case .messageCreated(let e):
                if e.messageType == .incoming, waitingSince == nil { waitingSince = time }
                if humanReplies.contains(index), let replier = e.sender?.id {
                    if index == firstReply {
                        fact(.avgFirstResponseTime, Double(time) - Double(clockStart), at: time, agent: replier)
                    }
                    if let waiting = waitingSince {
                        fact(.replyTime, Double(time) - Double(waiting), at: time, agent: replier)
                        waitingSince = nil
                    }
                }
            default:
                break
            }
        }
        return result
    }

    // MARK: Queries

    func selected(account: UInt64, metric: ReportMetric, scope: ReportScope, since: UInt64, until: UInt64) -> [Fact] {
        facts.filter { fact in
            guard fact.account == account, fact.metric == metric, since <= fact.time, fact.time < until else { return false }
            switch scope {
            case .account: return true
            case .agent(let id): return fact.agent == id
            case .inbox(let id): return fact.inbox == id
            case .team(let id): return fact.team == id
            case .label(let title): return fact.labels.contains(title)
            }
        }
    }

    /// Sum of counts; mean of durations and ratings; 0 for none.
    static func value(of facts: [Fact], _ metric: ReportMetric) -> Double {
        if facts.isEmpty { return 0 }
        var sum = 0.0
        for fact in facts { sum += fact.value }
        switch metric {
        case .conversationsCount, .incomingMessagesCount, .outgoingMessagesCount, .resolutionsCount: return sum
        case .avgFirstResponseTime, .avgResolutionTime, .replyTime, .csatAverage, .csatSatisfaction: return sum / Double(facts.count)
        }
    }

    struct Point: Hashable {
        var start: UInt64
        var value: Double
        var count: Int
    }

    func timeseries(
        account: UInt64, metric: ReportMetric, scope: ReportScope, since: UInt64, until: UInt64, grouping: ReportGrouping,
        offsetHours: Double, bucketer: NaiveBucketer? = nil
    ) -> [Point] {
        if since >= until { return [] }
        let bucketer = bucketer ?? NaiveBucketer(grouping: grouping, offsetHours: offsetHours)
        var byStart: [UInt64: [Fact]] = [:]
        for fact in selected(account: account, metric: metric, scope: scope, since: since, until: until) {
            byStart[bucketer.start(of: fact.time), default: []].append(fact)
        }
        return bucketer.starts(since: since, until: until).map { start in
            let inside = byStart[start] ?? []
            return Point(start: start, value: Self.value(of: inside, metric), count: inside.count)
        }
    }

    /// (current, previous): over `[since, until)` and the same length just before.
    func summary(account: UInt64, metric: ReportMetric, scope: ReportScope, since: UInt64, until: UInt64) -> (Double, Double) {
        let length = until - since
        let previousSince = since >= length ? since - length : 0
        return (
            Self.value(of: selected(account: account, metric: metric, scope: scope, since: since, until: until), metric),
            Self.value(of: selected(account: account, metric: metric, scope: scope, since: previousSince, until: since), metric)
        )
    }
}

/// Bucket starts by Foundation's calendar in a fixed-offset time zone, weeks from Monday.
final class NaiveBucketer {
    let grouping: ReportGrouping
    let calendar: Calendar
    private var cache: [UInt64: UInt64] = [:]

    init(grouping: ReportGrouping, offsetHours: Double) {
        self.grouping = grouping
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: Int((offsetHours * 3600).rounded()))!
        self.calendar = calendar
    }

    /// The start (UTC seconds) of the local hour, day, week or month holding `time`.
    func start(of time: UInt64) -> UInt64 {
        if let known = cache[time] { return known }
        let date = Date(timeIntervalSince1970: TimeInterval(time))
        let start: Date
        switch grouping {
        case .hour:
            let parts = calendar.dateComponents([.year, .month, .day, .hour], from: date)
            start = calendar.date(from: parts)!
        case .day:
            start = calendar.startOfDay(for: date)
        case .week:
            let day = calendar.startOfDay(for: date)
            // Calendar weekdays: 1 = Sunday, 2 = Monday, … 7 = Saturday.
            let sinceMonday = (calendar.component(.weekday, from: day) + 5) % 7
            start = calendar.date(byAdding: .day, value: -sinceMonday, to: day)!
            precondition(calendar.component(.weekday, from: start) == 2)
        case .month:
            let parts = calendar.dateComponents([.year, .month], from: date)
            start = calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: 1))!
        }
        let seconds = UInt64(start.timeIntervalSince1970)
        cache[time] = seconds
        return seconds
    }

    /// The bucket after the one starting at `start`.
    func next(after start: UInt64) -> UInt64 {
        let component: Calendar.Component =
            switch grouping {
            case .hour: .hour
            case .day: .day
            case .week: .weekOfYear
            case .month: .month
            }
        let date = calendar.date(byAdding: component, value: 1, to: Date(timeIntervalSince1970: TimeInterval(start)))!
        return UInt64(date.timeIntervalSince1970)
    }

    /// Every bucket start overlapping `[since, until)`.
    func starts(since: UInt64, until: UInt64) -> [UInt64] {
        var result: [UInt64] = []
        var start = self.start(of: since)
        while start < until {
            result.append(start)
            start = next(after: start)
        }
        return result
    }
}
