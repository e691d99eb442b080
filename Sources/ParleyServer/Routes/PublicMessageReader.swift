import ParleyDomain
import ParleyLog
import ParleyProjections

/// A message as its contact sees it, with later edits and deletion applied.
struct VisibleMessage {
    var message: MessageCreated
    /// Milliseconds since 1970, the log's time for the message.
    var createdAt: UInt64
    var deleted = false
}

/// Reading what a contact may see of a conversation. The projection indexes
/// messages by id with their log offsets; bodies are read from the log.
extension ParleyAPI {
    /// The messages per page, as Chatwoot's MessageFinder answers.
    static let publicPageSize = 20

    /// Up to `limit` messages of `conversation` its contact may see (never
    /// private notes, never activity), before or after a message id (the
    /// latest ones when neither is given), oldest first.
    func contactVisibleMessages(
        account: UInt64, conversation: UInt64, before: UInt64? = nil, after: UInt64? = nil, limit: Int = publicPageSize
    ) async throws -> [VisibleMessage] {
        let decoder = EventCodec.decoder()
        var collected: [(message: VisibleMessage, entry: LogEntry)] = []
        var before = before
        var after = after
        // Activity messages are indexed too; keep reading until the page is full.
        while collected.count < limit {
            let window = read {
                $0.conversations.messages(
                    account: account, conversation: conversation, before: before, after: after, limit: limit,
                    includePrivate: false)
            }
            guard let first = window.first, let last = window.last else { break }
            var loaded: [(message: VisibleMessage, entry: LogEntry)] = []
            for indexed in window {
                guard let entry = try await ledger.log.read(after: indexed.offset - 1, limit: 1).first,
                    entry.offset == indexed.offset,
                    case .messageCreated(let message) = try StoredEvent(entry, decoder: decoder).event.body,
                    message.messageType != .activity, !message.private
                else { continue }
                loaded.append((VisibleMessage(message: message, createdAt: entry.timestamp), entry))
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
        let page = after != nil ? Array(collected.prefix(limit)) : Array(collected.suffix(limit))
        return try await applyingEdits(to: page, account: account, conversation: conversation)
    }

    /// Applies the edits and deletions logged after the first message of
    /// `page`: the conversation's stream is read from there to its end.
    private func applyingEdits(
        to page: [(message: VisibleMessage, entry: LogEntry)], account: UInt64, conversation: UInt64
    ) async throws -> [VisibleMessage] {
        let stream = StreamNames.conversation(account, conversation)
        guard var after = page.first?.entry.seq(in: stream) else { return page.map(\.message) }
        var messages = page.map(\.message)
        var positions: [UInt64: Int] = [:]
        for (position, message) in messages.enumerated() { positions[message.message.messageID] = position }
        let decoder = EventCodec.decoder()
        let pageSize = 1000
        while true {
            let entries = try await ledger.log.read(stream: stream, after: after, limit: pageSize)
            for entry in entries where entry.type == MessageUpdated.type || entry.type == MessageDeleted.type {
                switch try StoredEvent(entry, decoder: decoder).event.body {
                case .messageUpdated(let update):
                    guard let position = positions[update.messageID] else { continue }
                    messages[position].message.content = update.content
                    messages[position].message.contentAttributes = update.contentAttributes
                case .messageDeleted(let deletion):
                    guard let position = positions[deletion.messageID] else { continue }
                    messages[position].deleted = true
                default:
                    continue
                }
            }
            guard entries.count == pageSize, let next = entries.last?.seq(in: stream) else { break }
            after = next
        }
        return messages
    }

    /// When `participant` last read `conversation`: the time of the newest
    /// message their read cursor covers (0 when they never read it). Message
    /// ids grow with time, so a message is unread for them exactly when it is
    /// newer than this, which is what Chatwoot's `*_last_seen_at` is used for.
    func lastSeenAt(account: UInt64, conversation: UInt64, participant: Participant) async throws -> UInt64 {
        let cursor = read { $0.unread.cursor(account: account, conversation: conversation, participant: participant) }
        guard cursor > 0,
            let indexed = read({
                $0.conversations.messages(
                    account: account, conversation: conversation, after: cursor - 1, limit: 1, includePrivate: true
                ).first
            }), indexed.id == cursor,
            let entry = try await ledger.log.read(after: indexed.offset - 1, limit: 1).first
        else { return 0 }
        return entry.timestamp
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
