import ParleyDomain
import ParleyLog
import ParleyProjections

/// Reading what a contact may see of a conversation. The projection indexes
/// messages by id with their log offsets, edits and deletions; bodies are
/// read from the log.
extension ParleyAPI {
    /// The messages per page, as Chatwoot's MessageFinder answers.
    static let publicPageSize = 20

    /// Up to `limit` messages of `conversation` its contact may see (never
    /// private notes, never activity), before or after a message id (the
    /// latest ones when neither is given), oldest first, as they stand now.
    func contactVisibleMessages(
        _ conversation: ConversationView, before: UInt64? = nil, after: UInt64? = nil, limit: Int = publicPageSize
    ) async throws -> [MessageState] {
        var collected: [MessageState] = []
        var before = before
        var after = after
        // Activity messages are indexed too, and only their bodies tell them
        // apart: keep reading until the page is full.
        while collected.count < limit {
            let window = read {
                $0.conversations.messages(
                    account: conversation.accountID, conversation: conversation.id, before: before, after: after,
                    limit: limit, includePrivate: false)
            }
            guard let first = window.first, let last = window.last else { break }
            let loaded = try await loadMessages(window, account: conversation.accountID, inbox: conversation.inboxID).filter {
                $0.created.messageType != .activity && !$0.created.private
            }
            if after != nil {
                collected += loaded
                after = last.id
            } else {
                collected = loaded + collected
                before = first.id
            }
            if window.count < limit { break }
        }
        return after != nil ? Array(collected.prefix(limit)) : Array(collected.suffix(limit))
    }

    /// The ids of the conversations `contact` has in `inbox`, oldest first,
    /// from the contact's stream (which holds every conversation it has).
    func contactConversationIDs(account: UInt64, contact: UInt64, inbox: UInt64) async throws -> [UInt64] {
        let stream = StreamNames.contact(account, contact)
        let decoder = EventCodec.decoder()
        let pageSize = 1000
        var after: UInt64 = 0
        var ids: [UInt64] = []
        while true {
            let entries = try await ledger.log.read(stream: stream, after: after, limit: pageSize)
            for entry in entries where entry.type == ConversationCreated.type {
                if case .conversationCreated(let created) = try StoredEvent(entry, decoder: decoder).event.body,
                    created.inboxID == inbox
                {
                    ids.append(created.conversationID)
                }
            }
            guard entries.count == pageSize, let next = entries.last?.seq(in: stream) else { break }
            after = next
        }
        return ids
    }
}
