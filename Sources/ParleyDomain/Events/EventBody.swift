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
    case webhookDeliveryChanged(WebhookDeliveryChanged)
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
    case faqSaved(FAQSaved)
    case faqDeleted(FAQDeleted)
    case automationReacted(AutomationReacted)
    case notificationCreated(NotificationCreated)
    case notificationsRead(NotificationsRead)

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
        case .webhookDeliveryChanged(let payload): payload
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
        case .faqSaved(let payload): payload
        case .faqDeleted(let payload): payload
        case .automationReacted(let payload): payload
        case .notificationCreated(let payload): payload
        case .notificationsRead(let payload): payload
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
        WebhookDeliveryChanged.self,
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
        FAQSaved.self,
        FAQDeleted.self,
        AutomationReacted.self,
        NotificationCreated.self,
        NotificationsRead.self,
    ]

    /// Decodes the payload of an event of `type` from its stored JSON.
    static func decode(type: String, from source: some PayloadSource) throws -> EventBody {
        guard let decode = decoders[type] else { throw EventCodec.Failure.unknownType(type) }
        return try decode(source)
    }

    private static let decoders: [String: @Sendable (any PayloadSource) throws -> EventBody] = [
        AccountCreated.type: { .accountCreated(try $0.payload(AccountCreated.self)) },
        AccountUpdated.type: { .accountUpdated(try $0.payload(AccountUpdated.self)) },
        UserCreated.type: { .userCreated(try $0.payload(UserCreated.self)) },
        AccessTokenIssued.type: { .accessTokenIssued(try $0.payload(AccessTokenIssued.self)) },
        AccountUserAdded.type: { .accountUserAdded(try $0.payload(AccountUserAdded.self)) },
        AccountUserUpdated.type: { .accountUserUpdated(try $0.payload(AccountUserUpdated.self)) },
        AccountUserRemoved.type: { .accountUserRemoved(try $0.payload(AccountUserRemoved.self)) },
        AvailabilityChanged.type: { .availabilityChanged(try $0.payload(AvailabilityChanged.self)) },
        PresenceChanged.type: { .presenceChanged(try $0.payload(PresenceChanged.self)) },
        InboxCreated.type: { .inboxCreated(try $0.payload(InboxCreated.self)) },
        InboxUpdated.type: { .inboxUpdated(try $0.payload(InboxUpdated.self)) },
        InboxMembersChanged.type: { .inboxMembersChanged(try $0.payload(InboxMembersChanged.self)) },
        TeamCreated.type: { .teamCreated(try $0.payload(TeamCreated.self)) },
        TeamMembersChanged.type: { .teamMembersChanged(try $0.payload(TeamMembersChanged.self)) },
        LabelCreated.type: { .labelCreated(try $0.payload(LabelCreated.self)) },
        LabelDeleted.type: { .labelDeleted(try $0.payload(LabelDeleted.self)) },
        CannedResponseSaved.type: { .cannedResponseSaved(try $0.payload(CannedResponseSaved.self)) },
        CannedResponseDeleted.type: { .cannedResponseDeleted(try $0.payload(CannedResponseDeleted.self)) },
        WebhookSaved.type: { .webhookSaved(try $0.payload(WebhookSaved.self)) },
        WebhookDeleted.type: { .webhookDeleted(try $0.payload(WebhookDeleted.self)) },
        WebhookDeliveryChanged.type: { .webhookDeliveryChanged(try $0.payload(WebhookDeliveryChanged.self)) },
        AuditRecorded.type: { .auditRecorded(try $0.payload(AuditRecorded.self)) },
        ContactCreated.type: { .contactCreated(try $0.payload(ContactCreated.self)) },
        ContactUpdated.type: { .contactUpdated(try $0.payload(ContactUpdated.self)) },
        ContactInboxCreated.type: { .contactInboxCreated(try $0.payload(ContactInboxCreated.self)) },
        ConversationCreated.type: { .conversationCreated(try $0.payload(ConversationCreated.self)) },
        ConversationStatusChanged.type: { .statusChanged(try $0.payload(ConversationStatusChanged.self)) },
        AssigneeChanged.type: { .assigneeChanged(try $0.payload(AssigneeChanged.self)) },
        TeamChanged.type: { .teamChanged(try $0.payload(TeamChanged.self)) },
        PriorityChanged.type: { .priorityChanged(try $0.payload(PriorityChanged.self)) },
        LabelsChanged.type: { .labelsChanged(try $0.payload(LabelsChanged.self)) },
        CustomAttributesChanged.type: { .customAttributesChanged(try $0.payload(CustomAttributesChanged.self)) },
        CSATSubmitted.type: { .csatSubmitted(try $0.payload(CSATSubmitted.self)) },
        TypingOn.type: { .typingOn(try $0.payload(TypingOn.self)) },
        TypingOff.type: { .typingOff(try $0.payload(TypingOff.self)) },
        ConversationRead.type: { .conversationRead(try $0.payload(ConversationRead.self)) },
        ConversationMarkedUnread.type: { .markedUnread(try $0.payload(ConversationMarkedUnread.self)) },
        MessageCreated.type: { .messageCreated(try $0.payload(MessageCreated.self)) },
        MessageUpdated.type: { .messageUpdated(try $0.payload(MessageUpdated.self)) },
        MessageDeleted.type: { .messageDeleted(try $0.payload(MessageDeleted.self)) },
        FAQSaved.type: { .faqSaved(try $0.payload(FAQSaved.self)) },
        FAQDeleted.type: { .faqDeleted(try $0.payload(FAQDeleted.self)) },
        AutomationReacted.type: { .automationReacted(try $0.payload(AutomationReacted.self)) },
        NotificationCreated.type: { .notificationCreated(try $0.payload(NotificationCreated.self)) },
        NotificationsRead.type: { .notificationsRead(try $0.payload(NotificationsRead.self)) },
    ]
}
