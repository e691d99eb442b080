// Inboxes, teams, labels, canned responses, webhooks and audit entries.

extension Decision {
    private func requireSettings(_ settings: InboxSettings) throws(DomainError) {
        try requireName(settings.name, field: "name")
        try requireName(settings.timezone, field: "timezone")
        for hours in settings.workingHours {
            guard (0...6).contains(hours.dayOfWeek) else {
                throw .invalid(field: "working_hours", reason: "day_of_week must be 0 (Sunday) to 6")
            }
            guard hours.closedAllDay || (0 <= hours.openMinute && hours.openMinute < hours.closeMinute && hours.closeMinute <= 1440)
            else { throw .invalid(field: "working_hours", reason: "open_minute must come before close_minute, within 0...1440") }
        }
        guard Set(settings.workingHours.map(\.dayOfWeek)).count == settings.workingHours.count else {
            throw .invalid(field: "working_hours", reason: "one entry per day")
        }
    }

    /// Every id in `userIDs` is a member of the account.
    private func requireMembers(_ userIDs: [UInt64], of account: AccountRecord) throws(DomainError) {
        for user in userIDs where account.members[user] == nil { throw .notFound("user \(user)") }
    }

    func createInbox(
        channelType: ChannelType, inboxIdentifier: String, hmacToken: String, settings: InboxSettings,
        callback: InboxCallbackChange?
    ) throws(DomainError) -> [DomainEvent] {
        _ = try accountAsAdministrator()
        try requireSettings(settings)
        try requireName(inboxIdentifier, field: "inbox_identifier")
        try requireName(hmacToken, field: "hmac_token")
        guard state.inboxesByIdentifier[inboxIdentifier] == nil else { throw .conflict("inbox identifier") }
        let id = state.nextInboxID
        let created = event(
            .inboxCreated(
                InboxCreated(
                    inboxID: id, channelType: channelType, inboxIdentifier: inboxIdentifier, hmacToken: hmacToken,
                    settings: settings)),
            streams: administrativeStreams)
        return [created] + (try callbackEvents(callback, inboxID: id, channelType: channelType, current: nil))
    }

    func updateInbox(inboxID: UInt64, settings: InboxSettings, callback: InboxCallbackChange?) throws(DomainError)
        -> [DomainEvent]
    {
        let account = try accountAsAdministrator()
        guard let inbox = account.inboxes[inboxID] else { throw .notFound("inbox \(inboxID)") }
        try requireSettings(settings)
        let updated = event(.inboxUpdated(InboxUpdated(inboxID: inboxID, settings: settings)), streams: administrativeStreams)
        return [updated]
            + (try callbackEvents(callback, inboxID: inboxID, channelType: inbox.channelType, current: inbox.callback))
    }

    /// The webhook events that carry out `change` to an inbox's callback URL,
    /// for the same batch as the inbox's own event: a new callback webhook
    /// (every conversation and message event of the inbox, none of contacts,
    /// which belong to no inbox), the existing one at its new URL, or its
    /// deletion. Nothing when the URL stays as it is or there is none to remove.
    private func callbackEvents(
        _ change: InboxCallbackChange?, inboxID: UInt64, channelType: ChannelType, current: InboxCallback?
    ) throws(DomainError) -> [DomainEvent] {
        switch change {
        case nil:
            return []
        case .remove:
            guard let current else { return [] }
            return [event(.webhookDeleted(WebhookDeleted(webhookID: current.webhookID)), streams: administrativeStreams)]
        case .deliver(let url, let secretNonce):
            guard channelType == .api else {
                throw .invalid(field: "webhook_url", reason: "only an API inbox has a callback URL")
            }
            try requireWebhookURL(url, field: "webhook_url")
            if let current {
                guard current.url != url else { return [] }
                let moved = WebhookSaved(
                    webhookID: current.webhookID, url: url, subscriptions: WebhookEvents.inboxCallback, inboxID: inboxID)
                return [event(.webhookSaved(moved), streams: administrativeStreams)]
            }
            try requireName(secretNonce, field: "secret_nonce")
            let created = WebhookSaved(
                webhookID: state.nextWebhookID, url: url, subscriptions: WebhookEvents.inboxCallback, secretNonce: secretNonce,
                inboxID: inboxID)
            return [event(.webhookSaved(created), streams: administrativeStreams)]
        }
    }

    /// An http or https URL of at most 2048 characters, without spaces.
    private func requireWebhookURL(_ url: String, field: String) throws(DomainError) {
        guard url.count <= 2048, url.hasPrefix("http://") || url.hasPrefix("https://"), !url.contains(" ") else {
            throw .invalid(field: field, reason: "expected an http or https URL")
        }
    }

    /// An inbox's callback webhook changes only with the inbox (`channel.webhook_url`),
    /// so the inbox always shows where its events go.
    private func requireAccountWebhook(_ id: UInt64, of account: AccountRecord) throws(DomainError) {
        if let inbox = account.callbackInbox(ofWebhook: id) {
            throw .invalid(
                field: "webhook_id",
                reason: "webhook \(id) is the callback URL of inbox \(inbox); change or clear the inbox's channel.webhook_url")
        }
    }

    func setInboxMembers(inboxID: UInt64, userIDs: [UInt64]) throws(DomainError) -> [DomainEvent] {
        let account = try accountAsAdministrator()
        guard account.inboxes[inboxID] != nil else { throw .notFound("inbox \(inboxID)") }
        try requireMembers(userIDs, of: account)
        let members = Array(Set(userIDs)).sorted()
        return [
            event(
                .inboxMembersChanged(InboxMembersChanged(inboxID: inboxID, userIDs: members)),
                streams: administrativeStreams)
        ]
    }

    func createTeam(name: String, description: String) throws(DomainError) -> [DomainEvent] {
        let account = try accountAsAdministrator()
        try requireName(name, field: "name")
        try requireShort(description, field: "description")
        guard !account.teams.values.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw .conflict("team \(name)")
        }
        return [
            event(
                .teamCreated(TeamCreated(teamID: state.nextTeamID, name: name, description: description)),
                streams: administrativeStreams)
        ]
    }

    func setTeamMembers(teamID: UInt64, userIDs: [UInt64]) throws(DomainError) -> [DomainEvent] {
        let account = try accountAsAdministrator()
        guard account.teams[teamID] != nil else { throw .notFound("team \(teamID)") }
        try requireMembers(userIDs, of: account)
        return [
            event(
                .teamMembersChanged(TeamMembersChanged(teamID: teamID, userIDs: Array(Set(userIDs)).sorted())),
                streams: administrativeStreams)
        ]
    }

    func createLabel(title: String, description: String, color: String) throws(DomainError) -> [DomainEvent] {
        let account = try accountAsAdministrator()
        try LabelTitle.validate(title)
        try requireShort(description, field: "description")
        guard color.isEmpty || (color.count == 7 && color.first == "#" && color.dropFirst().allSatisfy(ASCII.isHexDigit)) else {
            throw .invalid(field: "color", reason: "expected #rrggbb")
        }
        guard account.labels[title.lowercased()] == nil else { throw .conflict("label \(title)") }
        return [
            event(
                .labelCreated(
                    LabelCreated(labelID: state.nextLabelID, title: title.lowercased(), description: description, color: color)),
                streams: administrativeStreams)
        ]
    }

    func deleteLabel(labelID: UInt64) throws(DomainError) -> [DomainEvent] {
        let account = try accountAsAdministrator()
        guard let title = account.labels.first(where: { $0.value == labelID })?.key else {
            throw .notFound("label \(labelID)")
        }
        return [event(.labelDeleted(LabelDeleted(labelID: labelID, title: title)), streams: administrativeStreams)]
    }

    func saveCannedResponse(id: UInt64?, shortCode: String, content: String) throws(DomainError) -> [DomainEvent] {
        let (account, _) = try accountAsAgent()
        try requireName(shortCode, field: "short_code")
        guard !content.isEmpty else { throw .invalid(field: "content", reason: "must not be empty") }
        guard content.count <= Limits.maxContentLength else {
            throw .contentTooLong(length: content.count, limit: Limits.maxContentLength)
        }
        if let id, account.cannedResponses[id] == nil { throw .notFound("canned response \(id)") }
        if account.cannedResponses.contains(where: { $0.value == shortCode && $0.key != id }) {
            throw .conflict("canned response \(shortCode)")
        }
        return [
            event(
                .cannedResponseSaved(
                    CannedResponseSaved(cannedResponseID: id ?? state.nextCannedResponseID, shortCode: shortCode, content: content)),
                streams: [StreamNames.account(accountID)])
        ]
    }

    func deleteCannedResponse(id: UInt64) throws(DomainError) -> [DomainEvent] {
        let (account, _) = try accountAsAgent()
        guard account.cannedResponses[id] != nil else { throw .notFound("canned response \(id)") }
        return [event(.cannedResponseDeleted(CannedResponseDeleted(cannedResponseID: id)), streams: [StreamNames.account(accountID)])]
    }

    func saveWebhook(id: UInt64?, url: String, subscriptions: [String], secretNonce: String?) throws(DomainError)
        -> [DomainEvent]
    {
        let account = try accountAsAdministrator()
        try requireWebhookURL(url, field: "url")
        let unknown = subscriptions.filter { !WebhookEvents.all.contains($0) }
        guard unknown.isEmpty else {
            throw .invalid(field: "subscriptions", reason: "unknown events: \(unknown.joined(separator: ", "))")
        }
        if let id {
            guard account.webhooks.contains(id) else { throw .notFound("webhook \(id)") }
            try requireAccountWebhook(id, of: account)
        }
        let chosen = subscriptions.isEmpty ? WebhookEvents.all : Array(Set(subscriptions)).sorted()
        if id == nil, let secretNonce { try requireName(secretNonce, field: "secret_nonce") }
        let saved = WebhookSaved(
            webhookID: id ?? state.nextWebhookID, url: url, subscriptions: chosen, secretNonce: id == nil ? secretNonce : nil)
        return [event(.webhookSaved(saved), streams: administrativeStreams)]
    }

    /// Administrators pause and resume; `failing` is Parley's own verdict.
    func setWebhookDelivery(id: UInt64, state: WebhookDeliveryState, reason: String?) throws(DomainError) -> [DomainEvent] {
        let account = try accountAsAdministrator()
        guard account.webhooks.contains(id) else { throw .notFound("webhook \(id)") }
        if state == .failing, command.principal != .system { throw .forbidden("only Parley marks a webhook failing") }
        if let reason { try requireShort(reason, field: "reason") }
        let changed = event(
            .webhookDeliveryChanged(WebhookDeliveryChanged(webhookID: id, state: state, reason: reason)),
            streams: administrativeStreams)
        guard state == .failing else { return [changed] }
        // Every administrator hears of it on their own channel, in the same batch.
        let administrators = account.members.filter { $0.value == .administrator }.keys.sorted()
        let notifications = administrators.enumerated().map { index, user in
            event(
                .notificationCreated(
                    NotificationCreated(
                        notificationID: self.state.automation.nextNotificationID + UInt64(index), userID: user,
                        notificationType: .webhookFailing, conversationID: nil, webhookID: id)),
                streams: [StreamNames.user(user)])
        }
        return [changed] + notifications
    }

    func deleteWebhook(id: UInt64) throws(DomainError) -> [DomainEvent] {
        let account = try accountAsAdministrator()
        guard account.webhooks.contains(id) else { throw .notFound("webhook \(id)") }
        try requireAccountWebhook(id, of: account)
        return [event(.webhookDeleted(WebhookDeleted(webhookID: id)), streams: administrativeStreams)]
    }

    func recordAudit(action: String, targetType: String, targetID: UInt64?, ipAddress: String?, details: JSONObject)
        throws(DomainError) -> [DomainEvent]
    {
        guard command.principal == .system || command.principal == .platform else {
            throw .forbidden("audit entries are recorded by Parley itself")
        }
        _ = try account()
        try requireName(action, field: "action")
        try requireName(targetType, field: "target_type")
        return [
            event(
                .auditRecorded(
                    AuditRecorded(action: action, targetType: targetType, targetID: targetID, ipAddress: ipAddress, details: details)),
                streams: [StreamNames.audit(accountID)])
        ]
    }
}

/// Label titles as Chatwoot allows them: letters, digits, `-` and `_`, stored lowercase.
enum LabelTitle {
    static func validate(_ title: String) throws(DomainError) {
        guard !title.isEmpty, title.count <= Limits.maxNameLength,
            title.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw .invalid(field: "labels", reason: "\"\(title)\": use letters, digits, - and _") }
    }
}

/// The webhook events Chatwoot defines.
public enum WebhookEvents {
    public static let all = [
        "contact_created", "contact_updated", "conversation_created", "conversation_status_changed",
        "conversation_typing_off", "conversation_typing_on", "conversation_updated", "message_created",
        "message_updated",
    ]

    /// What an API inbox's callback URL is sent, as Chatwoot's: every event
    /// about the inbox's conversations and messages, none about contacts.
    public static let inboxCallback = all.filter { !$0.hasPrefix("contact_") }
}
