import ParleyDomain
import ParleyLog
import ParleyProjections

/// One event as a webhook sends it: Chatwoot's event name and the body,
/// rendered once and sent unchanged on every retry.
struct WebhookPayload: Sendable {
    var offset: UInt64
    /// When the event was appended, milliseconds since 1970.
    var appendedAt: UInt64
    var event: String
    /// The conversation or contact the event is about: deliveries with the
    /// same key go out one at a time, in log order.
    var orderKey: UInt64
    var body: [UInt8]
}

/// Turns log entries into Chatwoot's webhook payloads: the object as the
/// Application API renders it (``JSONOut``'s renderers) plus `event`, as
/// Chatwoot's `webhook_data` adds it.
///
/// The fields the event itself carries (a message's content, a contact's
/// details, the new status, `changed_attributes`) are as of the event; the
/// rest of the object (a conversation's assignee, labels …) is as it stands
/// when the payload is rendered. Conversations come without their message
/// preview (`messages` empty), which would cost two log reads per event.
struct WebhookPayloads: Sendable {
    let ledger: CommandLedger
    /// Payloads rendered lately, by offset: every webhook of an account sends
    /// the same body for an event, so the first worker to reach it renders it.
    let recent = WebhookPayloadCache(capacity: 8192)

    /// Chatwoot's name for an event of log type `type`, or nil when webhooks do not send it.
    static func eventName(forLogType type: String) -> String? {
        switch type {
        case MessageCreated.type: "message_created"
        case MessageUpdated.type, MessageDeleted.type: "message_updated"
        case ConversationCreated.type: "conversation_created"
        case ConversationStatusChanged.type: "conversation_status_changed"
        case AssigneeChanged.type, TeamChanged.type, PriorityChanged.type, LabelsChanged.type, CustomAttributesChanged.type:
            "conversation_updated"
        case TypingOn.type: "conversation_typing_on"
        case TypingOff.type: "conversation_typing_off"
        case ContactCreated.type: "contact_created"
        case ContactUpdated.type: "contact_updated"
        default: nil
        }
    }

    /// The payload of `entry` under Chatwoot's name `event`; nil when what it
    /// is about no longer exists in the projections.
    func render(_ entry: LogEntry, event: String) async throws -> WebhookPayload? {
        if let cached = recent.payload(at: entry.offset) { return cached.payload }
        let payload = try await renderAfresh(entry, event: event)
        recent.store(payload, at: entry.offset)
        return payload
    }

    private func renderAfresh(_ entry: LogEntry, event: String) async throws -> WebhookPayload? {
        let stored = try StoredEvent(entry)
        let account = entry.accountID
        let original = try await originalMessage(of: stored.event.body, account: account)
        let rendered: (key: UInt64, body: JSONOut)? = ledger.withProjections { projections in
            Self.body(of: stored, original: original, projections: projections)
        }
        guard let rendered else { return nil }
        let body = rendered.body.merging([("event", .string(event))])
        return WebhookPayload(
            offset: entry.offset, appendedAt: entry.timestamp, event: event, orderKey: rendered.key, body: body.bytes)
    }

    /// The `message.created` an edit or a deletion is about, read back from the log.
    private func originalMessage(of body: EventBody, account: UInt64) async throws -> MessageCreated? {
        let messageID: UInt64
        switch body {
        case .messageUpdated(let e): messageID = e.messageID
        case .messageDeleted(let e): messageID = e.messageID
        default: return nil
        }
        guard let offset = ledger.withProjections({ $0.conversations.message(account: account, id: messageID)?.entry.offset }),
            offset > 0, let entry = try await ledger.log.read(after: offset - 1, limit: 1).first, entry.offset == offset,
            case .messageCreated(let created) = try StoredEvent(entry).event.body
        else { return nil }
        return created
    }

    private static func conversationKey(_ id: UInt64) -> UInt64 { id << 1 }
    private static func contactKey(_ id: UInt64) -> UInt64 { id << 1 | 1 }

    private static func body(of stored: StoredEvent, original: MessageCreated?, projections: borrowing Projections)
        -> (key: UInt64, body: JSONOut)?
    {
        let account = stored.event.accountID
        let time = stored.entry.timestamp
        switch stored.event.body {
        case .messageCreated(let e):
            return message(e, createdAt: time, edit: nil, deleted: false, account: account, projections: projections)
        case .messageUpdated(let e):
            guard let original else { return nil }
            let createdAt = projections.conversations.message(account: account, id: e.messageID)?.entry.createdAt ?? time
            return message(original, createdAt: createdAt, edit: e, deleted: false, account: account, projections: projections)
        case .messageDeleted(let e):
            guard let original else { return nil }
            let createdAt = projections.conversations.message(account: account, id: e.messageID)?.entry.createdAt ?? time
            return message(original, createdAt: createdAt, edit: nil, deleted: true, account: account, projections: projections)
        case .conversationCreated(let e):
            return conversation(e.conversationID, account: account, projections: projections)
        case .statusChanged(let e):
            return conversation(
                e.conversationID, account: account, projections: projections,
                changes: [("status", .string(e.previousStatus.rawValue), .string(e.status.rawValue))],
                overriding: [("status", .string(e.status.rawValue))])
        case .assigneeChanged(let e):
            return conversation(
                e.conversationID, account: account, projections: projections,
                changes: [("assignee_id", .uint(e.previousAssigneeID), .uint(e.assigneeID))])
        case .teamChanged(let e):
            return conversation(
                e.conversationID, account: account, projections: projections,
                changes: [("team_id", .uint(e.previousTeamID), .uint(e.teamID))])
        case .priorityChanged(let e):
            return conversation(
                e.conversationID, account: account, projections: projections,
                changes: [("priority", .string(e.previousPriority?.rawValue), .string(e.priority?.rawValue))])
        case .labelsChanged(let e):
            let previous = e.labels.filter { !e.added.contains($0) } + e.removed
            return conversation(
                e.conversationID, account: account, projections: projections,
                changes: [("label_list", .array(previous.sorted().map { .string($0) }), .array(e.labels.map { .string($0) }))])
        case .customAttributesChanged(let e):
            return conversation(
                e.conversationID, account: account, projections: projections,
                changes: [("custom_attributes", nil, JSONOut(e.customAttributes))])
        case .typingOn(let e):
            return typing(e.conversationID, isPrivate: e.isPrivate, actor: stored.event.actor, projections: projections, account: account)
        case .typingOff(let e):
            return typing(e.conversationID, isPrivate: e.isPrivate, actor: stored.event.actor, projections: projections, account: account)
        case .contactCreated(let e):
            return contact(e.contactID, details: e.details, account: account, projections: projections)
        case .contactUpdated(let e):
            return contact(e.contactID, details: e.details, account: account, projections: projections)
        default:
            return nil
        }
    }

    /// A message as the messages API renders it, with its conversation, inbox and account.
    private static func message(
        _ created: MessageCreated, createdAt: UInt64, edit: MessageUpdated?, deleted: Bool, account: UInt64,
        projections: borrowing Projections
    ) -> (key: UInt64, body: JSONOut)? {
        guard let view = projections.conversations.conversation(account: account, id: created.conversationID) else { return nil }
        let directory = projections.directory
        let state = MessageState(
            accountID: account, inboxID: view.inboxID, created: created, createdAt: createdAt, edit: edit, deleted: deleted)
        let body = JSONOut.message(state, sender: .messageSender(created.sender, account: account, directory: directory))
            .merging([
                ("conversation", .conversation(view, caller: 0, preview: ConversationPreview(), projections: projections)),
                ("inbox", inboxSummary(view.inboxID, account: account, directory: directory)),
                ("account", accountSummary(account, directory: directory)),
            ])
        return (conversationKey(created.conversationID), body)
    }

    /// A conversation as the conversations API renders it; `changes` become
    /// Chatwoot's `changed_attributes` (`[{name: {previous_value, current_value}}]`).
    private static func conversation(
        _ id: UInt64, account: UInt64, projections: borrowing Projections,
        changes: [(String, JSONOut, JSONOut)] = [], overriding: [(String, JSONOut)] = []
    ) -> (key: UInt64, body: JSONOut)? {
        guard let view = projections.conversations.conversation(account: account, id: id) else { return nil }
        var extra = overriding
        if !changes.isEmpty {
            extra.append(
                ("changed_attributes", .array(changes.map { [$0.0: ["previous_value": $0.1, "current_value": $0.2]] })))
        }
        extra.append(("account", accountSummary(account, directory: projections.directory)))
        let body = JSONOut.conversation(view, caller: 0, preview: ConversationPreview(), projections: projections)
        return (conversationKey(id), body.merging(extra))
    }

    /// Chatwoot's typing payload: the conversation, who types, and whether it is a private note.
    private static func typing(
        _ id: UInt64, isPrivate: Bool, actor: Actor, projections: borrowing Projections, account: UInt64
    ) -> (key: UInt64, body: JSONOut)? {
        guard let view = projections.conversations.conversation(account: account, id: id) else { return nil }
        let user = JSONOut.messageSender(actor, account: account, directory: projections.directory) ?? nil
        let body: JSONOut = [
            "conversation": .conversation(view, caller: 0, preview: ConversationPreview(), projections: projections),
            "user": user, "is_private": .bool(isPrivate),
            "account": accountSummary(account, directory: projections.directory),
        ]
        return (conversationKey(id), body)
    }

    /// A contact as the contacts API renders it, with the event's details and
    /// without its contact inboxes: their source ids are the contact's
    /// credentials on the Public API, which an integration has no use for.
    private static func contact(_ id: UInt64, details: ContactDetails, account: UInt64, projections: borrowing Projections)
        -> (key: UInt64, body: JSONOut)?
    {
        guard var view = projections.directory.contact(id, account: account) else { return nil }
        view.details = details
        let body = JSONOut.contact(view, directory: projections.directory, withContactInboxes: false, showSecrets: false)
            .merging([("account", accountSummary(account, directory: projections.directory))])
        return (contactKey(id), body)
    }

    private static func accountSummary(_ id: UInt64, directory: borrowing DirectoryProjection) -> JSONOut {
        ["id": .uint(id), "name": .string(directory.account(id)?.name)]
    }

    private static func inboxSummary(_ id: UInt64, account: UInt64, directory: borrowing DirectoryProjection) -> JSONOut {
        ["id": .uint(id), "name": .string(directory.inbox(id, account: account)?.settings.name)]
    }
}

extension JSONOut {
    /// This object with `members` replacing the members of the same name
    /// (in place) or appended after the others.
    func merging(_ members: [(String, JSONOut)]) -> JSONOut {
        guard case .object(var existing) = self else { return self }
        for (name, value) in members {
            if let index = existing.firstIndex(where: { $0.0 == name }) {
                existing[index].1 = value
            } else {
                existing.append((name, value))
            }
        }
        return .object(existing)
    }
}
