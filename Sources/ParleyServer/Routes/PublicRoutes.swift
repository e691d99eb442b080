import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/public/api/v1/inboxes/{inbox_identifier}/…`: Chatwoot's Public API, for
/// contacts writing from a website widget or an app.
///
/// There is no access token. The inbox identifier in the path admits the
/// caller to one inbox, and a contact's `source_id` (a secret Parley made
/// when the contact was created) is the contact's credential. Anything the
/// caller cannot reach (an unknown inbox, source id or conversation, or one
/// of another contact) answers the same 404. Commands run as the contact
/// (`Principal.contact`), so the domain enforces what contacts may do: no
/// private notes, only their own conversations, resolving but not reopening.
extension ParleyAPI {
    func addPublicRoutes(to router: Router<ParleyRequestContext>) {
        let inbox = router.group("public/api/v1/inboxes/:inbox_identifier")
        inbox.post("contacts") { request, context in try await self.createPublicContact(request, context: context) }
        inbox.get("contacts/:source_id") { request, context in try await self.showPublicContact(request, context: context) }
        inbox.patch("contacts/:source_id") { request, context in try await self.updatePublicContact(request, context: context) }

        let conversations = inbox.group("contacts/:source_id/conversations")
        conversations.get { request, context in try await self.publicConversations(request, context: context) }
        conversations.post { request, context in try await self.createPublicConversation(request, context: context) }
        conversations.get(":conversation_id") { request, context in
            try await self.showPublicConversation(request, context: context)
        }
        conversations.post(":conversation_id/toggle_typing") { request, context in
            try await self.togglePublicTyping(request, context: context)
        }
        conversations.post(":conversation_id/update_last_seen") { request, context in
            try await self.updatePublicLastSeen(request, context: context)
        }
        conversations.post(":conversation_id/toggle_status") { request, context in
            try await self.togglePublicStatus(request, context: context)
        }
        conversations.get(":conversation_id/messages") { request, context in
            try await self.publicMessages(request, context: context)
        }
        conversations.post(":conversation_id/messages") { request, context in
            try await self.createPublicMessage(request, context: context)
        }
    }

    /// The inbox named by `:inbox_identifier`.
    func publicInbox(_ context: ParleyRequestContext) throws -> InboxView {
        guard let identifier = context.parameters.get("inbox_identifier"), identifier.utf8.count <= 255,
            let inbox = read({ $0.directory.inbox(identifier: identifier) })
        else { throw APIError.notFound("inbox") }
        return inbox
    }

    /// The contact whose `:source_id` the path carries, in the path's inbox.
    func publicCaller(_ context: ParleyRequestContext) throws -> PublicCaller {
        let inbox = try publicInbox(context)
        guard let sourceID = context.parameters.get("source_id"), sourceID.utf8.count <= 255,
            let contact = read({ $0.directory.contact(inbox: inbox.id, sourceID: sourceID) }),
            contact.accountID == inbox.accountID
        else { throw APIError.notFound("contact") }
        return PublicCaller(inbox: inbox, contact: contact, sourceID: sourceID)
    }

    /// The caller's conversation `:conversation_id` (a display id) in the
    /// path's inbox; any other conversation is a 404.
    func publicConversation(_ caller: PublicCaller, context: ParleyRequestContext) throws -> ConversationView {
        let id = try context.pathID("conversation_id")
        guard let conversation = read({ $0.conversations.conversation(account: caller.accountID, id: id) }),
            conversation.contactID == caller.contact.id, conversation.inboxID == caller.inbox.id
        else { throw APIError.notFound("conversation \(id)") }
        return conversation
    }
}

/// A contact calling the Public API through one of its contact inboxes.
struct PublicCaller {
    var inbox: InboxView
    var contact: ContactView
    var sourceID: String

    var accountID: UInt64 { inbox.accountID }

    /// The command `action` by this contact.
    func command(_ action: Action) -> Command {
        Command(accountID: inbox.accountID, principal: .contact(contact.id), action: action)
    }
}
