/// A user's role in one account.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case administrator
    case agent
}

/// Whether an agent is reachable.
public enum Availability: String, Sendable, Hashable, Codable, CaseIterable {
    case online, away, busy, offline
}

/// A conversation's status, named as in Chatwoot's JSON.
public enum ConversationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case open, resolved, pending, snoozed
}

/// A conversation's priority; `nil` where Chatwoot shows none.
public enum Priority: String, Sendable, Hashable, Codable, CaseIterable {
    case low, medium, high, urgent

    /// Order for sorting, urgent first.
    public var rank: Int {
        switch self {
        case .urgent: 4
        case .high: 3
        case .medium: 2
        case .low: 1
        }
    }
}

/// A message's kind, with Chatwoot's integer values.
public enum MessageType: Int, Sendable, Hashable, Codable, CaseIterable {
    case incoming = 0
    case outgoing = 1
    case activity = 2
    case template = 3
}

/// How an inbox receives messages.
public enum ChannelType: String, Sendable, Hashable, Codable, CaseIterable {
    case api
    case webWidget = "web_widget"
}

/// Who did something.
public struct Actor: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case agent, contact, bot, system
    }

    public var type: Kind
    /// The user or contact id; 0 for the system.
    public var id: UInt64

    public init(type: Kind, id: UInt64) {
        self.type = type
        self.id = id
    }

    public static let system = Actor(type: .system, id: 0)
    public static func agent(_ id: UInt64) -> Actor { Actor(type: .agent, id: id) }
    public static func contact(_ id: UInt64) -> Actor { Actor(type: .contact, id: id) }
    public static func bot(_ id: UInt64) -> Actor { Actor(type: .bot, id: id) }
}

/// A participant with a read cursor: an agent (user) or a contact.
public struct Participant: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case user, contact
    }

    public var type: Kind
    public var id: UInt64

    public init(type: Kind, id: UInt64) {
        self.type = type
        self.id = id
    }
}

/// An attachment's metadata; the bytes live elsewhere.
public struct Attachment: Sendable, Hashable, Codable {
    public enum FileType: String, Sendable, Hashable, Codable, CaseIterable {
        case image, audio, video, file, location, fallback
    }

    public var fileType: FileType
    public var url: String
    public var name: String
    public var size: Int

    public init(fileType: FileType, url: String, name: String, size: Int) {
        self.fileType = fileType
        self.url = url
        self.name = name
        self.size = size
    }
}

/// Opening hours of one weekday (0 = Sunday), minutes from midnight in the inbox's time zone.
public struct WorkingHours: Sendable, Hashable, Codable {
    public var dayOfWeek: Int
    public var closedAllDay: Bool
    public var openMinute: Int
    public var closeMinute: Int

    public init(dayOfWeek: Int, closedAllDay: Bool, openMinute: Int, closeMinute: Int) {
        self.dayOfWeek = dayOfWeek
        self.closedAllDay = closedAllDay
        self.openMinute = openMinute
        self.closeMinute = closeMinute
    }
}

/// Whether a webhook's deliveries run: `failing` is `paused` decided by
/// Parley, after an endpoint kept failing past the retry age.
public enum WebhookDeliveryState: String, Sendable, Hashable, Codable, CaseIterable {
    case active, paused, failing
}
