import ParleyDomain
import ParleyProjections

/// The messages a conversation's JSON shows, read from the log beforehand:
/// the newest of any kind (Chatwoot's `messages`) and the newest that is not
/// activity (`last_non_activity_message`).
struct ConversationPreview: Sendable {
    var last: MessageState?
    var lastNonActivity: MessageState?
}

// Chatwoot's conversation JSON (`api/v1/conversations/partials/_conversation.json.jbuilder`).
// Times are epoch seconds; unset times are 0, as Chatwoot's `.to_i` gives.

extension JSONOut {
    /// A conversation as `caller` sees it: the unread count and
    /// `agent_last_seen_at` are the caller's own.
    static func conversation(
        _ view: ConversationView, caller: UInt64, preview: ConversationPreview, projections: borrowing Projections
    ) -> JSONOut {
        let account = view.accountID
        let directory = projections.directory
        let assignee = view.assigneeID.flatMap { directory.user($0) }
        let assigneeRole = view.assigneeID.flatMap { directory.account(account)?.members[$0] } ?? .agent
        let team = view.teamID.flatMap { directory.team($0, account: account) }
        let channel = directory.inbox(view.inboxID, account: account).map { $0.channelType == .api ? "Channel::Api" : "Channel::WebWidget" }
        let meta: JSONOut = [
            "sender": directory.contact(view.contactID, account: account).map {
                .contact($0, directory: directory, withContactInboxes: false, showSecrets: false)
            } ?? ["id": .uint(view.contactID)],
            "channel": .string(channel),
            "assignee": assignee.map { .agent($0, role: assigneeRole, accountID: account) } ?? nil,
            "team": team.map { .team($0, isMember: $0.members.contains(caller)) } ?? nil,
            "hmac_verified": false,
        ]
        let agentSeen = lastSeen(view, participant: Participant(type: .user, id: caller), projections: projections)
        var assigneeSeen: JSONOut = 0
        if let assignee = view.assigneeID {
            assigneeSeen = lastSeen(view, participant: Participant(type: .user, id: assignee), projections: projections)
        }
        let contactSeen = lastSeen(view, participant: Participant(type: .contact, id: view.contactID), projections: projections)
        let unread = projections.unread.unreadCount(
            account: account, conversation: view.id, participant: Participant(type: .user, id: caller))
        let render = { (message: MessageState) in
            JSONOut.message(message, sender: .messageSender(message.created.sender, account: account, directory: directory))
        }
        return [
            "meta": meta,
            "id": .uint(view.id),
            "messages": .array(preview.last.map { [render($0)] } ?? []),
            "account_id": .uint(account),
            "inbox_id": .uint(view.inboxID),
            "contact_id": .uint(view.contactID),
            "assignee_id": .uint(view.assigneeID),
            "status": .string(view.status.rawValue),
            "priority": .string(view.priority?.rawValue),
            "labels": .array(view.labels.map { .string($0) }),
            "custom_attributes": JSONOut(view.customAttributes),
            "additional_attributes": [:],
            "agent_last_seen_at": agentSeen,
            "assignee_last_seen_at": assigneeSeen,
            "contact_last_seen_at": contactSeen,
            "unread_count": .int(Int64(unread)),
            "can_reply": true,
            "muted": false,
            "snoozed_until": .uint(view.snoozedUntil),
            "created_at": .seconds(view.createdAt),
            "timestamp": .seconds(view.lastActivityAt),
            "last_activity_at": .seconds(view.lastActivityAt),
            "first_reply_created_at": .seconds(view.firstReplyCreatedAt ?? 0),
            "waiting_since": .seconds(view.waitingSince ?? 0),
            "last_non_activity_message": preview.lastNonActivity.map(render) ?? nil,
            "sla_policy_id": nil,
        ]
    }

    /// When `participant` last read the conversation: the time of the newest
    /// message their read cursor covers (Parley's cursors are message ids).
    static func lastSeen(_ view: ConversationView, participant: Participant, projections: borrowing Projections) -> JSONOut {
        let cursor = projections.unread.cursor(account: view.accountID, conversation: view.id, participant: participant)
        guard cursor > 0,
            let message = projections.conversations.message(account: view.accountID, conversation: view.id, atOrBefore: cursor)
        else { return 0 }
        return .seconds(message.createdAt)
    }

    /// Chatwoot's counts for conversation lists.
    static func conversationCounts(_ page: ConversationPage) -> JSONOut {
        [
            "mine_count": .int(Int64(page.mineCount)), "assigned_count": .int(Int64(page.assignedCount)),
            "unassigned_count": .int(Int64(page.unassignedCount)), "all_count": .int(Int64(page.allCount)),
        ]
    }

    /// A conversation's labels, as Chatwoot's labels routes answer.
    static func labelList(_ labels: [String]) -> JSONOut {
        ["payload": .array(labels.map { .string($0) })]
    }
}
