@testable import ParleyDomain

/// Hand-built events covering every payload type at least once, with
/// non-default values, optional fields both present and absent, camelCase
/// keys in free-form objects and non-ASCII text. Used by the codec and
/// schema tests.
enum SampleEvents {
    static let account: UInt64 = 42
    static let agent: UInt64 = 7
    static let otherAgent: UInt64 = 8
    static let contact: UInt64 = 31
    static let inbox: UInt64 = 3
    static let conversation: UInt64 = 5
    static let team: UInt64 = 2

    /// Text that must survive encoding unchanged: accents, CJK, emoji with
    /// modifiers and flags, quotes, a newline, slashes.
    static let unicode = "Olá Zoë! 你好 👋🏽 — «ça va?» 🇧🇷\n\"quoted\" a/b back\\slash"

    /// Free-form attributes whose keys must not be re-cased: camelCase,
    /// snake_case with an `_id` segment, nested objects.
    static let attributes: JSONObject = [
        "planType": .string("enterprise"),
        "seatCount": .number(25),
        "order_id": .string("ORD-77"),
        "trial": .bool(false),
        "renewsAt": .null,
        "tags": .array([.string("vip"), .number(1.5)]),
        "billingContact": .object(["firstName": .string("Zoë"), "lastName": .string("Ødegaard")]),
    ]

    static let settings: InboxSettings = {
        var settings = InboxSettings(
            name: "Süpport 🛟", greetingEnabled: true, greetingMessage: "Hi! \(unicode)", outOfOfficeMessage: "Back Monday",
            workingHoursEnabled: true,
            workingHours: [
                WorkingHours(dayOfWeek: 1, closedAllDay: false, openMinute: 540, closeMinute: 1020),
                WorkingHours(dayOfWeek: 0, closedAllDay: true, openMinute: 0, closeMinute: 0),
            ],
            timezone: "Europe/Berlin", hmacMandatory: true)
        settings.enableAutoAssignment = true
        settings.maxAssignmentLimit = 3
        settings.firstResponseThreshold = 600
        return settings
    }()

    static let fullDetails = ContactDetails(
        name: "Zoë Ødegaard", email: "zoe@example.com", phoneNumber: "+4930123456", identifier: "crm-0042",
        customAttributes: attributes, blocked: false)

    static var accountStreams: [String] { [StreamNames.account(account), StreamNames.audit(account)] }
    static var conversationStreams: [String] {
        [
            StreamNames.account(account), StreamNames.conversation(account, conversation),
            StreamNames.inbox(account, inbox),
        ]
    }
    static var contactStreams: [String] { conversationStreams + [StreamNames.contact(account, contact)] }

    static func event(
        _ body: EventBody, streams: [String], actor: Actor = .agent(agent), account: UInt64 = account,
        ephemeral: Bool = false
    ) -> DomainEvent {
        DomainEvent(accountID: account, actor: actor, streams: streams, ephemeral: ephemeral, body: body)
    }

    static let all: [DomainEvent] = [
        // Accounts and users.
        event(
            .accountCreated(AccountCreated(name: "Acme Ünited 株式会社", locale: "pt_BR")), streams: accountStreams,
            actor: .system),
        event(.accountUpdated(AccountUpdated(name: "Acme GmbH", locale: "de")), streams: accountStreams),
        event(
            .userCreated(UserCreated(userID: agent, name: "Ana Lúcia", email: "ana@example.com")),
            streams: [StreamNames.platform, StreamNames.user(agent)], actor: .system, account: Platform.accountID),
        event(
            .accessTokenIssued(
                AccessTokenIssued(
                    userID: agent, tokenSha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")),
            streams: [StreamNames.platform, StreamNames.user(agent)], actor: .agent(agent), account: Platform.accountID),
        event(
            .accountUserAdded(AccountUserAdded(userID: otherAgent, role: .administrator)),
            streams: accountStreams + [StreamNames.user(otherAgent)]),
        event(
            .accountUserUpdated(AccountUserUpdated(userID: otherAgent, role: .agent)),
            streams: accountStreams + [StreamNames.user(otherAgent)]),
        event(
            .accountUserRemoved(AccountUserRemoved(userID: otherAgent)),
            streams: accountStreams + [StreamNames.user(otherAgent)]),
        event(
            .availabilityChanged(AvailabilityChanged(userID: agent, availability: .busy)),
            streams: [StreamNames.account(account), StreamNames.user(agent)]),
        event(
            .presenceChanged(PresenceChanged(userID: agent, online: true)),
            streams: [StreamNames.account(account), StreamNames.user(agent)], ephemeral: true),

        // Configuration.
        event(
            .inboxCreated(
                InboxCreated(
                    inboxID: inbox, channelType: .webWidget, inboxIdentifier: "w1dg3t-Ident", hmacToken: "s3cr3t-hmac",
                    settings: settings)),
            streams: accountStreams),
        event(.inboxUpdated(InboxUpdated(inboxID: inbox, settings: InboxSettings(name: "API inbox"))), streams: accountStreams),
        event(.inboxMembersChanged(InboxMembersChanged(inboxID: inbox, userIDs: [agent, otherAgent, 12])), streams: accountStreams),
        event(.teamCreated(TeamCreated(teamID: team, name: "Équipe Nord", description: unicode)), streams: accountStreams),
        event(.teamMembersChanged(TeamMembersChanged(teamID: team, userIDs: [agent])), streams: accountStreams),
        event(
            .labelCreated(LabelCreated(labelID: 9, title: "billing_ü", description: "Money questions", color: "#1F93FF")),
            streams: accountStreams),
        event(.labelDeleted(LabelDeleted(labelID: 9, title: "billing_ü")), streams: accountStreams),
        event(
            .cannedResponseSaved(CannedResponseSaved(cannedResponseID: 11, shortCode: "greet", content: unicode)),
            streams: [StreamNames.account(account)]),
        event(.cannedResponseDeleted(CannedResponseDeleted(cannedResponseID: 11)), streams: [StreamNames.account(account)]),
        event(
            .webhookSaved(
                WebhookSaved(
                    webhookID: 4, url: "https://hooks.example.com/parley?x=1",
                    subscriptions: ["conversation_created", "message_created"], secretNonce: "0f1e2d3c4b5a69788796a5b4c3d2e1f0")),
            streams: accountStreams),
        event(
            .webhookSaved(WebhookSaved(webhookID: 4, url: "http://hooks.example.com/edited", subscriptions: ["message_created"])),
            streams: accountStreams),
        event(
            .webhookDeliveryChanged(WebhookDeliveryChanged(webhookID: 4, state: .failing, reason: "HTTP 503 for 24 h")),
            streams: accountStreams, actor: .system),
        event(.webhookDeliveryChanged(WebhookDeliveryChanged(webhookID: 4, state: .active, reason: nil)), streams: accountStreams),
        event(.webhookDeleted(WebhookDeleted(webhookID: 4)), streams: accountStreams),
        event(
            .webhookSaved(
                WebhookSaved(
                    webhookID: 5, url: "https://crm.example.com/parley/inbox", subscriptions: WebhookEvents.inboxCallback,
                    secretNonce: "a1b2c3d4e5f60718293a4b5c6d7e8f90", inboxID: 2)),
            streams: accountStreams),
        event(
            .faqSaved(
                FAQSaved(faqID: 3, question: "Où est ma commande? 📦", keywords: ["order", "where is"], answer: unicode, active: true)),
            streams: [StreamNames.account(account)]),
        event(.faqDeleted(FAQDeleted(faqID: 3)), streams: [StreamNames.account(account)]),
        event(
            .automationReacted(
                AutomationReacted(
                    triggerOffset: 120, conversationID: conversation, greeted: true, outOfOfficePeriod: 1_790_000_000_000, faqID: 3,
                    assignmentQueued: "no_agent_available")),
            streams: [StreamNames.automation(account), StreamNames.audit(account)], actor: .bot(0)),
        event(
            .automationReacted(
                AutomationReacted(
                    triggerOffset: 0, conversationID: nil, greeted: false, outOfOfficePeriod: nil, faqID: nil, assignmentQueued: nil)),
            streams: [StreamNames.automation(Platform.accountID)], actor: .bot(0), account: Platform.accountID),
        event(
            .notificationCreated(
                NotificationCreated(
                    notificationID: 12, userID: agent, notificationType: .conversationMention, conversationID: conversation,
                    messageID: 77)),
            streams: [StreamNames.user(agent)], actor: .bot(0)),
        event(
            .notificationCreated(
                NotificationCreated(
                    notificationID: 13, userID: agent, notificationType: .slaMissedFirstResponse, conversationID: conversation,
                    messageID: nil)),
            streams: [StreamNames.user(agent)], actor: .bot(0)),
        event(
            .notificationCreated(
                NotificationCreated(
                    notificationID: 14, userID: agent, notificationType: .webhookFailing, conversationID: nil, webhookID: 3)),
            streams: [StreamNames.user(agent)], actor: .system),
        event(.notificationsRead(NotificationsRead(userID: agent, notificationIDs: [12, 13])), streams: [StreamNames.user(agent)]),
        event(
            .auditRecorded(
                AuditRecorded(
                    action: "sign_in.refused", targetType: "user", targetID: agent, ipAddress: "2001:db8::1",
                    details: ["reason": .string("bad password"), "attemptCount": .number(3)])),
            streams: [StreamNames.audit(account)], actor: .system),
        event(
            .auditRecorded(AuditRecorded(action: "export", targetType: "account", targetID: nil, ipAddress: nil, details: [:])),
            streams: [StreamNames.audit(account)], actor: .system),

        // Contacts.
        event(
            .contactCreated(ContactCreated(contactID: contact, details: fullDetails)),
            streams: [StreamNames.account(account), StreamNames.contact(account, contact)], actor: .system),
        event(
            .contactCreated(ContactCreated(contactID: 32, details: ContactDetails(name: ""))),
            streams: [StreamNames.account(account), StreamNames.contact(account, 32)]),
        event(
            .contactUpdated(
                ContactUpdated(
                    contactID: contact,
                    details: ContactDetails(name: "Zoë Ø.", email: "zoe@example.org", customAttributes: ["vipLevel": .number(2)], blocked: true))),
            streams: [StreamNames.account(account), StreamNames.contact(account, contact)], actor: .contact(contact)),
        event(
            .contactInboxCreated(ContactInboxCreated(contactID: contact, inboxID: inbox, sourceID: "src-ü-1")),
            streams: [StreamNames.account(account), StreamNames.contact(account, contact)]),

        // Conversations.
        event(
            .conversationCreated(
                ConversationCreated(
                    conversationID: conversation, inboxID: inbox, contactID: contact, sourceID: "src-ü-1", status: .open,
                    assigneeID: agent, teamID: team, priority: .high, labels: ["billing", "vip"],
                    customAttributes: attributes)),
            streams: contactStreams + [StreamNames.user(agent)]),
        event(
            .conversationCreated(
                ConversationCreated(
                    conversationID: 6, inboxID: inbox, contactID: contact, sourceID: "src-2", status: .pending,
                    assigneeID: nil, teamID: nil, priority: nil, labels: [], customAttributes: [:])),
            streams: contactStreams, actor: .contact(contact)),
        event(
            .statusChanged(
                ConversationStatusChanged(
                    conversationID: conversation, status: .snoozed, previousStatus: .open, snoozedUntil: 1_800_000_000)),
            streams: contactStreams),
        event(
            .statusChanged(
                ConversationStatusChanged(conversationID: conversation, status: .open, previousStatus: .resolved, snoozedUntil: nil)),
            streams: contactStreams, actor: .contact(contact)),
        event(
            .assigneeChanged(AssigneeChanged(conversationID: conversation, assigneeID: otherAgent, previousAssigneeID: agent)),
            streams: conversationStreams + [StreamNames.user(otherAgent), StreamNames.user(agent)]),
        event(
            .assigneeChanged(AssigneeChanged(conversationID: conversation, assigneeID: nil, previousAssigneeID: otherAgent)),
            streams: conversationStreams + [StreamNames.user(otherAgent)]),
        event(
            .assigneeChanged(AssigneeChanged(conversationID: conversation, assigneeID: agent, previousAssigneeID: nil)),
            streams: conversationStreams + [StreamNames.user(agent)]),
        event(.teamChanged(TeamChanged(conversationID: conversation, teamID: team, previousTeamID: nil)), streams: conversationStreams),
        event(.teamChanged(TeamChanged(conversationID: conversation, teamID: nil, previousTeamID: team)), streams: conversationStreams),
        event(
            .priorityChanged(PriorityChanged(conversationID: conversation, priority: .urgent, previousPriority: nil)),
            streams: conversationStreams),
        event(
            .priorityChanged(PriorityChanged(conversationID: conversation, priority: nil, previousPriority: .low)),
            streams: conversationStreams),
        event(
            .labelsChanged(
                LabelsChanged(conversationID: conversation, labels: ["vip", "ünicode"], added: ["ünicode"], removed: ["billing"])),
            streams: conversationStreams),
        event(
            .customAttributesChanged(CustomAttributesChanged(conversationID: conversation, customAttributes: attributes)),
            streams: conversationStreams),
        event(
            .csatSubmitted(CSATSubmitted(conversationID: conversation, rating: 4, feedback: "Très bien 👍")),
            streams: contactStreams, actor: .contact(contact)),
        event(
            .typingOn(TypingOn(conversationID: conversation, isPrivate: true)), streams: conversationStreams, ephemeral: true),
        event(
            .typingOff(TypingOff(conversationID: conversation, isPrivate: false)), streams: contactStreams, ephemeral: true),
        event(
            .conversationRead(
                ConversationRead(conversationID: conversation, participant: Participant(type: .user, id: agent), lastReadMessageID: 17)),
            streams: [StreamNames.user(agent)]),
        event(
            .conversationRead(
                ConversationRead(conversationID: 6, participant: Participant(type: .contact, id: contact), lastReadMessageID: 0)),
            streams: contactStreams, actor: .contact(contact)),
        event(
            .markedUnread(ConversationMarkedUnread(conversationID: conversation, userID: agent, lastReadMessageID: 15)),
            streams: [StreamNames.user(agent)]),

        // Messages.
        event(
            .messageCreated(
                MessageCreated(
                    messageID: 9_007_199_254_740_993, conversationID: conversation, messageType: .incoming, content: unicode,
                    contentType: "input_select",
                    contentAttributes: ["submittedValues": .array([.object(["displayText": .string("Sí")])])],
                    private: false, sender: .contact(contact),
                    attachments: [
                        Attachment(fileType: .image, url: "https://cdn.example.com/a/ü.png", name: "ü.png", size: 20_480),
                        Attachment(fileType: .location, url: "geo:52.52,13.40", name: "Berlin", size: 0),
                    ],
                    echoID: "echo-🦊-1")),
            streams: contactStreams, actor: .contact(contact)),
        event(
            .messageCreated(
                MessageCreated(
                    messageID: 18, conversationID: conversation, messageType: .activity, content: "Assigned to Ana Lúcia",
                    contentType: "text", contentAttributes: [:], private: false, sender: nil, attachments: [], echoID: nil)),
            streams: conversationStreams),
        event(
            .messageCreated(
                MessageCreated(
                    messageID: 19, conversationID: conversation, messageType: .template, content: "Internal: check the 請求書",
                    contentType: "text", contentAttributes: ["campaignId": .number(3)], private: true, sender: .agent(agent),
                    attachments: [], echoID: nil)),
            streams: conversationStreams),
        event(
            .messageCreated(
                MessageCreated(
                    messageID: 20, conversationID: conversation, messageType: .outgoing, content: "On it!", contentType: "text",
                    contentAttributes: [:], private: false, sender: .bot(0), attachments: [], echoID: "bot-1")),
            streams: contactStreams, actor: .system),
        event(
            .messageUpdated(
                MessageUpdated(
                    messageID: 20, conversationID: conversation, content: "On it — édité ✏️",
                    contentAttributes: ["editedBy": .string("agent_7")])),
            streams: contactStreams),
        event(.messageDeleted(MessageDeleted(messageID: 19, conversationID: conversation)), streams: conversationStreams),
    ]
}
