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

    /// The actor recorded on the events.
    var actor: Actor {
        switch self {
        case .platform, .system: .system
        case .user(let id): .agent(id)
        case .contact(let id): .contact(id)
        }
    }
}
