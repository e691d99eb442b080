// Events about contacts and their inboxes.

/// A contact's editable fields.
public struct ContactDetails: Sendable, Hashable, Codable {
    public var name: String
    public var email: String?
    public var phoneNumber: String?
    /// The integration's own id for the person, unique per account.
    public var identifier: String?
    public var customAttributes: JSONObject
    public var blocked: Bool

    public init(
        name: String, email: String? = nil, phoneNumber: String? = nil, identifier: String? = nil,
        customAttributes: JSONObject = [:], blocked: Bool = false
    ) {
        self.name = name
        self.email = email
        self.phoneNumber = phoneNumber
        self.identifier = identifier
        self.customAttributes = customAttributes
        self.blocked = blocked
    }
}

public struct ContactCreated: EventPayload {
    public static let type = "contact.created"
    public var contactID: UInt64
    public var details: ContactDetails
}

public struct ContactUpdated: EventPayload {
    public static let type = "contact.updated"
    public var contactID: UInt64
    public var details: ContactDetails
}

/// A contact can be reached through an inbox under `sourceID`.
public struct ContactInboxCreated: EventPayload {
    public static let type = "contact_inbox.created"
    public var contactID: UInt64
    public var inboxID: UInt64
    public var sourceID: String
}
