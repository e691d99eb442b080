// Events about accounts, users, inboxes, teams, labels, canned responses and webhooks.

public struct AccountCreated: EventPayload {
    public static let type = "account.created"
    public var name: String
    public var locale: String
}

public struct AccountUpdated: EventPayload {
    public static let type = "account.updated"
    public var name: String
    public var locale: String
}

/// A user exists on the platform. Users are not tenants' data: their events
/// belong to ``Platform/accountID``.
public struct UserCreated: EventPayload {
    public static let type = "user.created"
    public var userID: UInt64
    public var name: String
    public var email: String
}

/// A user got a new API access token; only its SHA-256 is stored.
public struct AccessTokenIssued: EventPayload {
    public static let type = "access_token.issued"
    public var userID: UInt64
    public var tokenSha256: String
}

public struct AccountUserAdded: EventPayload {
    public static let type = "account_user.added"
    public var userID: UInt64
    public var role: Role
}

public struct AccountUserUpdated: EventPayload {
    public static let type = "account_user.updated"
    public var userID: UInt64
    public var role: Role
}

public struct AccountUserRemoved: EventPayload {
    public static let type = "account_user.removed"
    public var userID: UInt64
}

public struct AvailabilityChanged: EventPayload {
    public static let type = "user.availability_changed"
    public var userID: UInt64
    public var availability: Availability
}

/// A user came online (their first realtime connection to the account) or
/// went offline (their last one closed); ephemeral: delivered live, pruned.
public struct PresenceChanged: EventPayload {
    public static let type = "user.presence_changed"
    public var userID: UInt64
    public var online: Bool
}

/// An inbox's settings, as created and as replaced by an update.
public struct InboxSettings: Sendable, Hashable, Codable {
    public var name: String
    public var greetingEnabled: Bool
    public var greetingMessage: String
    public var outOfOfficeMessage: String
    public var workingHoursEnabled: Bool
    public var workingHours: [WorkingHours]
    /// An IANA time zone name, such as `Europe/Berlin`.
    public var timezone: String
    /// Whether contacts must prove their identifier with an HMAC.
    public var hmacMandatory: Bool
    /// Automation settings; absent (nil) in inboxes made before they existed, which means off.
    public var enableAutoAssignment: Bool?
    /// The most open conversations auto-assignment gives each agent; nil: no limit.
    public var maxAssignmentLimit: Int?
    /// Seconds an incoming message may wait for an agent's reply before the
    /// "waiting too long" notification; nil: never.
    public var firstResponseThreshold: Int?

    public init(
        name: String, greetingEnabled: Bool = false, greetingMessage: String = "", outOfOfficeMessage: String = "",
        workingHoursEnabled: Bool = false, workingHours: [WorkingHours] = [], timezone: String = "UTC",
        hmacMandatory: Bool = false
    ) {
        self.name = name
        self.greetingEnabled = greetingEnabled
        self.greetingMessage = greetingMessage
        self.outOfOfficeMessage = outOfOfficeMessage
        self.workingHoursEnabled = workingHoursEnabled
        self.workingHours = workingHours
        self.timezone = timezone
        self.hmacMandatory = hmacMandatory
    }
}

public struct InboxCreated: EventPayload {
    public static let type = "inbox.created"
    public var inboxID: UInt64
    public var channelType: ChannelType
    /// The public identifier contacts use in the Public API.
    public var inboxIdentifier: String
    /// The secret for `identifier_hash`; shown to administrators only.
    public var hmacToken: String
    public var settings: InboxSettings
}

public struct InboxUpdated: EventPayload {
    public static let type = "inbox.updated"
    public var inboxID: UInt64
    public var settings: InboxSettings
}

public struct InboxMembersChanged: EventPayload {
    public static let type = "inbox.members_changed"
    public var inboxID: UInt64
    public var userIDs: [UInt64]
}

public struct TeamCreated: EventPayload {
    public static let type = "team.created"
    public var teamID: UInt64
    public var name: String
    public var description: String
}

public struct TeamMembersChanged: EventPayload {
    public static let type = "team.members_changed"
    public var teamID: UInt64
    public var userIDs: [UInt64]
}

public struct LabelCreated: EventPayload {
    public static let type = "label.created"
    public var labelID: UInt64
    public var title: String
    public var description: String
    public var color: String
}

public struct LabelDeleted: EventPayload {
    public static let type = "label.deleted"
    public var labelID: UInt64
    public var title: String
}

public struct CannedResponseSaved: EventPayload {
    public static let type = "canned_response.saved"
    public var cannedResponseID: UInt64
    public var shortCode: String
    public var content: String
}

public struct CannedResponseDeleted: EventPayload {
    public static let type = "canned_response.deleted"
    public var cannedResponseID: UInt64
}

/// A webhook subscription's configuration (delivery is the dispatcher's job).
public struct WebhookSaved: EventPayload {
    public static let type = "webhook.saved"
    public var webhookID: UInt64
    public var url: String
    public var subscriptions: [String]
    /// What the webhook's signing secret is derived from (with the server's
    /// secret), so the log never holds the secret itself. Set when the
    /// webhook is created; nil on an edit, which keeps the secret.
    public var secretNonce: String?
    /// The API inbox whose callback URL (`channel.webhook_url`) this webhook
    /// is: it is sent only that inbox's events. Absent for an account
    /// webhook, and in every event written before callbacks were kept.
    public var inboxID: UInt64?

    public init(webhookID: UInt64, url: String, subscriptions: [String], secretNonce: String? = nil, inboxID: UInt64? = nil) {
        self.webhookID = webhookID
        self.url = url
        self.subscriptions = subscriptions
        self.secretNonce = secretNonce
        self.inboxID = inboxID
    }
}

public struct WebhookDeleted: EventPayload {
    public static let type = "webhook.deleted"
    public var webhookID: UInt64
}

/// A webhook's deliveries were paused or resumed by an administrator, or
/// stopped by Parley after failing for longer than the retry age (`reason`
/// says why); its backlog is kept either way.
public struct WebhookDeliveryChanged: EventPayload {
    public static let type = "webhook.delivery_changed"
    public var webhookID: UInt64
    public var state: WebhookDeliveryState
    public var reason: String?
}

/// A security or administrative action with no event of its own: a sign-in,
/// a refused request, an export.
public struct AuditRecorded: EventPayload {
    public static let type = "audit.recorded"
    public var action: String
    public var targetType: String
    public var targetID: UInt64?
    public var ipAddress: String?
    public var details: JSONObject
}
