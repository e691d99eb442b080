import ParleyDomain

// What the directory holds about each thing, as Chatwoot's API shows it.
// Times are milliseconds since 1970.

public struct AccountView: Sendable, Hashable, Codable {
    public var id: UInt64
    public var name: String
    public var locale: String
    public var createdAt: UInt64
    /// Members and their roles.
    public var members: [UInt64: Role] = [:]
}

public struct UserView: Sendable, Hashable, Codable {
    public var id: UInt64
    public var name: String
    public var email: String
    public var availability: Availability = .offline
    /// The SHA-256 (hex) of the user's current access token.
    public var tokenSha256: String
    public var createdAt: UInt64
}

public struct InboxView: Sendable, Hashable, Codable {
    public var accountID: UInt64
    public var id: UInt64
    public var channelType: ChannelType
    public var inboxIdentifier: String
    public var hmacToken: String
    public var settings: InboxSettings
    public var members: [UInt64] = []
    public var createdAt: UInt64
    /// An API inbox's callback URL and its webhook; nil while it has none.
    public var callback: InboxCallback?
}

public struct TeamView: Sendable, Hashable, Codable {
    public var accountID: UInt64
    public var id: UInt64
    public var name: String
    public var description: String
    public var members: [UInt64] = []
}

public struct LabelView: Sendable, Hashable, Codable {
    public var accountID: UInt64
    public var id: UInt64
    public var title: String
    public var description: String
    public var color: String
}

public struct CannedResponseView: Sendable, Hashable, Codable {
    public var accountID: UInt64
    public var id: UInt64
    public var shortCode: String
    public var content: String
}

public struct WebhookView: Sendable, Hashable, Codable {
    public var accountID: UInt64
    public var id: UInt64
    public var url: String
    public var subscriptions: [String]
    /// What the signing secret is derived from; nil for a webhook created
    /// before webhooks were signed (its secret is derived from its id).
    public var secretNonce: String?
    /// Why deliveries are held (paused, failing); nil while they run.
    public var delivery: WebhookDeliveryHold?
    /// The offset of the event that created the webhook: it is sent the
    /// events after it.
    public var createdOffset: UInt64?
    /// The API inbox whose callback URL this webhook is, sent only that
    /// inbox's events; nil for an account webhook.
    public var inboxID: UInt64?
}

/// A webhook whose deliveries do not run, and since when (milliseconds since 1970).
public struct WebhookDeliveryHold: Sendable, Hashable, Codable {
    public var state: WebhookDeliveryState
    public var reason: String?
    public var since: UInt64
}

public struct ContactView: Sendable, Hashable, Codable {
    public var accountID: UInt64
    public var id: UInt64
    public var details: ContactDetails
    public var createdAt: UInt64
    /// The inboxes the contact can be reached through, in the order they were added.
    public var contactInboxes: [InboxSource] = []
    /// When the contact last sent a message; nil before its first.
    public var lastActivityAt: UInt64?
}
