import Foundation

/// Every event the chat domain emits, one case per type.
public enum EventBody: Sendable, Hashable {
    case accountCreated(AccountCreated)
    case accountUpdated(AccountUpdated)
    case userCreated(UserCreated)
    case accessTokenIssued(AccessTokenIssued)
    case accountUserAdded(AccountUserAdded)
    case accountUserUpdated(AccountUserUpdated)
    case accountUserRemoved(AccountUserRemoved)
    case availabilityChanged(AvailabilityChanged)
    case presenceChanged(PresenceChanged)
    case inboxCreated(InboxCreated)
    case inboxUpdated(InboxUpdated)
    case inboxMembersChanged(InboxMembersChanged)
    case teamCreated(TeamCreated)
    case teamMembersChanged(TeamMembersChanged)
    case labelCreated(LabelCreated)
    case labelDeleted(LabelDeleted)
    case cannedResponseSaved(CannedResponseSaved)
    case cannedResponseDeleted(CannedResponseDeleted)
    case webhookSaved(WebhookSaved)
    case webhookDeleted(WebhookDeleted)
    case auditRecorded(AuditRecorded)
    case contactCreated(ContactCreated)
    case contactUpdated(ContactUpdated)
    case contactInboxCreated(ContactInboxCreated)
    case conversationCreated(ConversationCreated)
    case statusChanged(ConversationStatusChanged)
    case assigneeChanged(AssigneeChanged)
    case teamChanged(TeamChanged)
    case priorityChanged(PriorityChanged)
    case labelsChanged(LabelsChanged)
    case customAttributesChanged(CustomAttributesChanged)
    case csatSubmitted(CSATSubmitted)
    case typingOn(TypingOn)
    case typingOff(TypingOff)
    case conversationRead(ConversationRead)
    case markedUnread(ConversationMarkedUnread)
    case messageCreated(MessageCreated)
    case messageUpdated(MessageUpdated)
    case messageDeleted(MessageDeleted)

    /// The payload, for encoding and for its type and version.
    public var payload: any EventPayload {
        switch self {
        case .accountCreated(let payload): payload
        case .accountUpdated(let payload): payload
        case .userCreated(let payload): payload
        case .accessTokenIssued(let payload): payload
        case .accountUserAdded(let payload): payload
        case .accountUserUpdated(let payload): payload
        case .accountUserRemoved(let payload): payload
        case .availabilityChanged(let payload): payload
        case .presenceChanged(let payload): payload
        case .inboxCreated(let payload): payload
        case .inboxUpdated(let payload): payload
        case .inboxMembersChanged(let payload): payload
        case .teamCreated(let payload): payload
        case .teamMembersChanged(let payload): payload
        case .labelCreated(let payload): payload
        case .labelDeleted(let payload): payload
        case .cannedResponseSaved(let payload): payload
        case .cannedResponseDeleted(let payload): payload
        case .webhookSaved(let payload): payload
        case .webhookDeleted(let payload): payload
        case .auditRecorded(let payload): payload
        case .contactCreated(let payload): payload
        case .contactUpdated(let payload): payload
        case .contactInboxCreated(let payload): payload
        case .conversationCreated(let payload): payload
        case .statusChanged(let payload): payload
        case .assigneeChanged(let payload): payload
        case .teamChanged(let payload): payload
        case .priorityChanged(let payload): payload
        case .labelsChanged(let payload): payload
        case .customAttributesChanged(let payload): payload
        case .csatSubmitted(let payload): payload
        case .typingOn(let payload): payload
        case .typingOff(let payload): payload
        case .conversationRead(let payload): payload
        case .markedUnread(let payload): payload
        case .messageCreated(let payload): payload
        case .messageUpdated(let payload): payload
        case .messageDeleted(let payload): payload
        }
    }

    public var type: String { Swift.type(of: payload).type }
    public var version: Int { Swift.type(of: payload).version }

    /// Every payload type, for schema checks and documentation.
    public static let payloadTypes: [any EventPayload.Type] = [
        AccountCreated.self,
        AccountUpdated.self,
        UserCreated.self,
        AccessTokenIssued.self,
        AccountUserAdded.self,
        AccountUserUpdated.self,
        AccountUserRemoved.self,
        AvailabilityChanged.self,
        PresenceChanged.self,
        InboxCreated.self,
        InboxUpdated.self,
        InboxMembersChanged.self,
        TeamCreated.self,
        TeamMembersChanged.self,
        LabelCreated.self,
        LabelDeleted.self,
        CannedResponseSaved.self,
        CannedResponseDeleted.self,
        WebhookSaved.self,
        WebhookDeleted.self,
        AuditRecorded.self,
        ContactCreated.self,
        ContactUpdated.self,
        ContactInboxCreated.self,
        ConversationCreated.self,
        ConversationStatusChanged.self,
        AssigneeChanged.self,
        TeamChanged.self,
        PriorityChanged.self,
        LabelsChanged.self,
        CustomAttributesChanged.self,
        CSATSubmitted.self,
        TypingOn.self,
        TypingOff.self,
        ConversationRead.self,
        ConversationMarkedUnread.self,
        MessageCreated.self,
        MessageUpdated.self,
        MessageDeleted.self,
    ]

    /// Decodes the payload of an event of `type` from its stored JSON.
    static func decode(type: String, payload: Data, using decoder: JSONDecoder) throws -> EventBody {
        guard let decode = decoders[type] else { throw EventCodec.Failure.unknownType(type) }
        return try decode(decoder, payload)
    }

    private static let decoders: [String: @Sendable (JSONDecoder, Data) throws -> EventBody] = [
        AccountCreated.type: { .accountCreated(try EventCodec.decodePayload(AccountCreated.self, from: $1, using: $0)) },
        AccountUpdated.type: { .accountUpdated(try EventCodec.decodePayload(AccountUpdated.self, from: $1, using: $0)) },
        UserCreated.type: { .userCreated(try EventCodec.decodePayload(UserCreated.self, from: $1, using: $0)) },
        AccessTokenIssued.type: { .accessTokenIssued(try EventCodec.decodePayload(AccessTokenIssued.self, from: $1, using: $0)) },
        AccountUserAdded.type: { .accountUserAdded(try EventCodec.decodePayload(AccountUserAdded.self, from: $1, using: $0)) },
        AccountUserUpdated.type: { .accountUserUpdated(try EventCodec.decodePayload(AccountUserUpdated.self, from: $1, using: $0)) },
        AccountUserRemoved.type: { .accountUserRemoved(try EventCodec.decodePayload(AccountUserRemoved.self, from: $1, using: $0)) },
        AvailabilityChanged.type: { .availabilityChanged(try EventCodec.decodePayload(AvailabilityChanged.self, from: $1, using: $0)) },
        PresenceChanged.type: { .presenceChanged(try EventCodec.decodePayload(PresenceChanged.self, from: $1, using: $0)) },
        InboxCreated.type: { .inboxCreated(try EventCodec.decodePayload(InboxCreated.self, from: $1, using: $0)) },
        InboxUpdated.type: { .inboxUpdated(try EventCodec.decodePayload(InboxUpdated.self, from: $1, using: $0)) },
        InboxMembersChanged.type: { .inboxMembersChanged(try EventCodec.decodePayload(InboxMembersChanged.self, from: $1, using: $0)) },
        TeamCreated.type: { .teamCreated(try EventCodec.decodePayload(TeamCreated.self, from: $1, using: $0)) },
        TeamMembersChanged.type: { .teamMembersChanged(try EventCodec.decodePayload(TeamMembersChanged.self, from: $1, using: $0)) },
        LabelCreated.type: { .labelCreated(try EventCodec.decodePayload(LabelCreated.self, from: $1, using: $0)) },
        LabelDeleted.type: { .labelDeleted(try EventCodec.decodePayload(LabelDeleted.self, from: $1, using: $0)) },
        CannedResponseSaved.type: { .cannedResponseSaved(try EventCodec.decodePayload(CannedResponseSaved.self, from: $1, using: $0)) },
        CannedResponseDeleted.type: { .cannedResponseDeleted(try EventCodec.decodePayload(CannedResponseDeleted.self, from: $1, using: $0)) },
        WebhookSaved.type: { .webhookSaved(try EventCodec.decodePayload(WebhookSaved.self, from: $1, using: $0)) },
        WebhookDeleted.type: { .webhookDeleted(try EventCodec.decodePayload(WebhookDeleted.self, from: $1, using: $0)) },
        AuditRecorded.type: { .auditRecorded(try EventCodec.decodePayload(AuditRecorded.self, from: $1, using: $0)) },
        ContactCreated.type: { .contactCreated(try EventCodec.decodePayload(ContactCreated.self, from: $1, using: $0)) },
        ContactUpdated.type: { .contactUpdated(try EventCodec.decodePayload(ContactUpdated.self, from: $1, using: $0)) },
        ContactInboxCreated.type: { .contactInboxCreated(try EventCodec.decodePayload(ContactInboxCreated.self, from: $1, using: $0)) },
        ConversationCreated.type: { .conversationCreated(try EventCodec.decodePayload(ConversationCreated.self, from: $1, using: $0)) },
        ConversationStatusChanged.type: { .statusChanged(try EventCodec.decodePayload(ConversationStatusChanged.self, from: $1, using: $0)) },
        AssigneeChanged.type: { .assigneeChanged(try EventCodec.decodePayload(AssigneeChanged.self, from: $1, using: $0)) },
        TeamChanged.type: { .teamChanged(try EventCodec.decodePayload(TeamChanged.self, from: $1, using: $0)) },
        PriorityChanged.type: { .priorityChanged(try EventCodec.decodePayload(PriorityChanged.self, from: $1, using: $0)) },
        LabelsChanged.type: { .labelsChanged(try EventCodec.decodePayload(LabelsChanged.self, from: $1, using: $0)) },
        CustomAttributesChanged.type: { .customAttributesChanged(try EventCodec.decodePayload(CustomAttributesChanged.self, from: $1, using: $0)) },
        CSATSubmitted.type: { .csatSubmitted(try EventCodec.decodePayload(CSATSubmitted.self, from: $1, using: $0)) },
        TypingOn.type: { .typingOn(try EventCodec.decodePayload(TypingOn.self, from: $1, using: $0)) },
        TypingOff.type: { .typingOff(try EventCodec.decodePayload(TypingOff.self, from: $1, using: $0)) },
        ConversationRead.type: { .conversationRead(try EventCodec.decodePayload(ConversationRead.self, from: $1, using: $0)) },
        ConversationMarkedUnread.type: { .markedUnread(try EventCodec.decodePayload(ConversationMarkedUnread.self, from: $1, using: $0)) },
        MessageCreated.type: { .messageCreated(try EventCodec.decodePayload(MessageCreated.self, from: $1, using: $0)) },
        MessageUpdated.type: { .messageUpdated(try EventCodec.decodePayload(MessageUpdated.self, from: $1, using: $0)) },
        MessageDeleted.type: { .messageDeleted(try EventCodec.decodePayload(MessageDeleted.self, from: $1, using: $0)) },
    ]
}
