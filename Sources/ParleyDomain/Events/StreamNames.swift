/// The names of the streams events belong to; each is a Centrifugo channel.
public enum StreamNames {
    /// Everything in an account, for administrators.
    public static func account(_ account: UInt64) -> String { "account:\(account)" }
    public static func inbox(_ account: UInt64, _ inbox: UInt64) -> String { "inbox:\(account):\(inbox)" }
    public static func conversation(_ account: UInt64, _ conversation: UInt64) -> String {
        "conversation:\(account):\(conversation)"
    }
    /// What a contact may see: its conversations without private notes or internal activity.
    public static func contact(_ account: UInt64, _ contact: UInt64) -> String { "contact:\(account):\(contact)" }
    /// An agent's own feed: assignments, read markers for multi-device sync, availability.
    public static func user(_ user: UInt64) -> String { "user:\(user)" }
    /// Administrative and security actions of an account.
    public static func audit(_ account: UInt64) -> String { "audit:\(account)" }
    /// What the automation reactor did in an account (``AutomationReacted``); no client subscribes to it.
    public static func automation(_ account: UInt64) -> String { "automation:\(account)" }
    /// Users and their tokens.
    public static let platform = "platform"
}
