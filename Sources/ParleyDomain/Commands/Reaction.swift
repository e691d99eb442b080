/// One logged event for the reactor to answer, with what it knows that the
/// log does not: who is connected now, and its configuration.
public struct Reaction: Sendable, Hashable {
    /// The triggering event's offset and time (ms): its time, not the
    /// reactor's, decides working hours, so a late reaction decides as a prompt one.
    public var triggerOffset: UInt64
    public var triggerTime: UInt64
    public var trigger: DomainEvent
    /// Users of the account with a realtime connection open now.
    public var onlineUsers: Set<UInt64>
    /// The least FAQ score that sends an answer.
    public var faqConfidence: Double

    public init(triggerOffset: UInt64, triggerTime: UInt64, trigger: DomainEvent, onlineUsers: Set<UInt64>, faqConfidence: Double) {
        self.triggerOffset = triggerOffset
        self.triggerTime = triggerTime
        self.trigger = trigger
        self.onlineUsers = onlineUsers
        self.faqConfidence = faqConfidence
    }
}
