/// Chatwoot's report metrics. Counts add up; times (seconds) and CSAT average.
public enum ReportMetric: String, Sendable, Hashable, Codable, CaseIterable {
    case conversationsCount = "conversations_count"
    case incomingMessagesCount = "incoming_messages_count"
    case outgoingMessagesCount = "outgoing_messages_count"
    case avgFirstResponseTime = "avg_first_response_time"
    case avgResolutionTime = "avg_resolution_time"
    case replyTime = "reply_time"
    case resolutionsCount = "resolutions_count"
    /// Share of ratings that are 4 or 5, as a fraction.
    case csatSatisfaction = "csat_satisfaction"
    /// Average rating, 1 to 5.
    case csatAverage = "csat_average"

    public var isCount: Bool {
        switch self {
        case .conversationsCount, .incomingMessagesCount, .outgoingMessagesCount, .resolutionsCount: true
        default: false
        }
    }
}

/// What a report is about: the whole account, or one agent, inbox, team or label.
public enum ReportScope: Sendable, Hashable {
    case account
    case agent(UInt64)
    case inbox(UInt64)
    case team(UInt64)
    case label(String)
}

/// Report buckets.
public enum ReportGrouping: String, Sendable, Hashable, CaseIterable {
    case hour, day, week, month
}

/// One measurement: a count of 1, a duration in seconds, or a rating, with
/// what it can be grouped by.
public struct ReportFact: Sendable, Hashable, Codable {
    public var metric: ReportMetric
    /// Seconds since 1970 when it happened.
    public var time: UInt64
    public var value: Double
    public var inboxID: UInt64
    public var teamID: UInt64?
    /// The agent it is attributed to: the replier for replies and first
    /// responses, the sender for outgoing messages, the assignee otherwise.
    public var agentID: UInt64?
    public var labels: [String]

    func matches(_ scope: ReportScope) -> Bool {
        switch scope {
        case .account: true
        case .agent(let agent): agentID == agent
        case .inbox(let inbox): inboxID == inbox
        case .team(let team): teamID == team
        case .label(let label): labels.contains(label)
        }
    }
}

extension ReportFact {
    /// A fact is an array in the checkpoint, not an object: a large log has
    /// millions of them, and their keys were most of its size and its cost.
    public init(from decoder: any Decoder) throws {
        var fields = try decoder.unkeyedContainer()
        metric = try fields.decode(ReportMetric.self)
        time = try fields.decode(UInt64.self)
        value = try fields.decode(Double.self)
        inboxID = try fields.decode(UInt64.self)
        teamID = try fields.decodeIfPresent(UInt64.self)
        agentID = try fields.decodeIfPresent(UInt64.self)
        labels = try fields.decode([String].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(metric)
        try fields.encode(time)
        try fields.encode(value)
        try fields.encode(inboxID)
        try fields.encode(teamID)
        try fields.encode(agentID)
        try fields.encode(labels)
    }
}
