import ParleyDomain
import ParleyLog

/// Which logged events may need the reactor, decided before decoding: most
/// of the log (outgoing messages, read markers, typing) never does.
enum AutomationTriggers {
    static let types: Set<String> = [
        MessageCreated.type, ConversationCreated.type, AssigneeChanged.type, ConversationStatusChanged.type,
        PresenceChanged.type, InboxMembersChanged.type, InboxUpdated.type, AvailabilityChanged.type,
    ]

    /// Whether a decoded event asks the decider anything: a contact's
    /// message or a private note, a change that may free an agent, a
    /// connection opened since `started` (older ones belong to a previous run).
    static func reacts(to event: DomainEvent, at timestamp: UInt64, started: UInt64) -> Bool {
        switch event.body {
        case .messageCreated(let message): message.messageType == .incoming || message.private
        case .statusChanged(let change): change.status != .open
        case .presenceChanged(let presence): presence.online && timestamp >= started
        default: true
        }
    }
}
