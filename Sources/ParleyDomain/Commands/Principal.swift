/// Who issues a command, as the server authenticated them.
public enum Principal: Sendable, Hashable {
    /// A platform app (the platform token): creates accounts and users.
    case platform
    /// A user acting in the command's account; their role there decides what they may do.
    case user(UInt64)
    /// A contact, through the Public API: only its own conversations.
    case contact(UInt64)
    /// Parley itself: the Public API's unauthenticated steps it has verified
    /// (creating a contact), timers (waking snoozed conversations).
    case system
    /// Parley's automation (greeting, out of office, FAQ answers,
    /// auto-assignment, notifications): acts like ``system`` and its events
    /// carry the bot actor, so clients show them as the bot's.
    case bot

    /// The actor recorded on the events.
    var actor: Actor {
        switch self {
        case .platform, .system: .system
        case .bot: .bot(0)
        case .user(let id): .agent(id)
        case .contact(let id): .contact(id)
        }
    }
}
