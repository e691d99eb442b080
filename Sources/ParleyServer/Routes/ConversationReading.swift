import Foundation
import Hummingbird
import ParleyDomain
import ParleyProjections

/// What the conversation and message routes share: finding a conversation
/// the caller may see, reading messages back from the log, and rendering
/// conversations with their newest messages.
extension ParleyAPI {
    /// Conversation `id` of the member's account, if they may see it. A
    /// conversation in an inbox the agent does not work in answers 404, like
    /// one that does not exist.
    func visibleConversation(_ id: UInt64, for member: Member) throws -> ConversationView {
        try read { projections in
            guard let view = projections.conversations.conversation(account: member.accountID, id: id),
                projections.conversations.userMaySee(member.user.id, inbox: view.inboxID, account: member.accountID)
            else { throw APIError.notFound("conversation \(id)") }
            return view
        }
    }

    /// The conversation in the path (`:conversation_id`), if the member may see it.
    func visibleConversation(_ context: ParleyRequestContext, for member: Member) throws -> ConversationView {
        try visibleConversation(try context.pathID("conversation_id"), for: member)
    }

    /// Message `id` of the member's account, with its conversation, if the member may see that conversation.
    func visibleMessage(_ id: UInt64, for member: Member) throws -> (conversation: ConversationView, entry: MessageIndexEntry) {
        guard let (conversation, entry) = read({ $0.conversations.message(account: member.accountID, id: id) }) else {
            throw APIError.notFound("message \(id)")
        }
        do {
            return (try visibleConversation(conversation, for: member), entry)
        } catch {
            throw APIError.notFound("message \(id)")
        }
    }

    /// The messages `entries` point at, as they stand now (edits and
    /// deletions applied), in the same order.
    func loadMessages(_ entries: [MessageIndexEntry], account: UInt64, inbox: UInt64) async throws -> [MessageState] {
        let decoder = EventCodec.decoder()
        var states: [MessageState] = []
        states.reserveCapacity(entries.count)
        for entry in entries {
            guard case .messageCreated(let created)? = try await event(at: entry.offset, decoder: decoder) else { continue }
            var edit: MessageUpdated?
            if let offset = entry.updatedOffset, case .messageUpdated(let updated)? = try await event(at: offset, decoder: decoder) {
                edit = updated
            }
            states.append(
                MessageState(
                    accountID: account, inboxID: inbox, created: created, createdAt: entry.createdAt, edit: edit,
                    deleted: entry.deleted))
        }
        return states
    }

    /// The event stored at `offset`.
    private func event(at offset: UInt64, decoder: JSONDecoder) async throws -> EventBody? {
        guard offset > 0, let entry = try await ledger.log.read(after: offset - 1, limit: 1).first, entry.offset == offset else {
            return nil
        }
        return try StoredEvent(entry, decoder: decoder).event.body
    }

    /// One message as it stands now, if the member may see it.
    func loadMessage(_ id: UInt64, for member: Member) async throws -> MessageState {
        let (conversation, entry) = try visibleMessage(id, for: member)
        guard let state = try await loadMessages([entry], account: member.accountID, inbox: conversation.inboxID).first else {
            throw APIError.notFound("message \(id)")
        }
        return state
    }

    /// A message's JSON, its sender resolved in the directory.
    func renderMessages(_ messages: [MessageState]) -> [JSONOut] {
        read { projections in
            let directory = projections.directory
            return messages.map { .message($0, sender: .messageSender($0.created.sender, account: $0.accountID, directory: directory)) }
        }
    }

    /// Conversations as `member` sees them, each with its newest messages.
    func renderConversations(_ views: [ConversationView], for member: Member) async throws -> [JSONOut] {
        let wanted = read { projections in
            views.map { view in
                (
                    last: projections.conversations.lastMessage(account: view.accountID, conversation: view.id),
                    lastNonActivity: view.lastMessage.flatMap {
                        projections.conversations.message(account: view.accountID, conversation: view.id, id: $0.id)
                    }
                )
            }
        }
        var previews: [ConversationPreview] = []
        for (view, entries) in zip(views, wanted) {
            var wantedEntries = [entries.last, entries.lastNonActivity].compactMap { $0 }
            if wantedEntries.count == 2, wantedEntries[0].id == wantedEntries[1].id { wantedEntries.removeLast() }
            let loaded = try await loadMessages(wantedEntries, account: view.accountID, inbox: view.inboxID)
            let last = loaded.first { $0.id == entries.last?.id }
            previews.append(ConversationPreview(last: last, lastNonActivity: loaded.last { $0.id == entries.lastNonActivity?.id }))
        }
        return read { projections in
            zip(views, previews).map { JSONOut.conversation($0, caller: member.user.id, preview: $1, projections: projections) }
        }
    }

    /// One conversation as `member` sees it now.
    func renderConversation(_ id: UInt64, for member: Member) async throws -> JSONOut {
        let view = try visibleConversation(id, for: member)
        return try await renderConversations([view], for: member)[0]
    }
}
