import ParleyDomain

/// How a client's idempotency key (the `Idempotency-Key` header, or a
/// message's `echo_id`) becomes the key the ledger remembers a command by.
///
/// The ledger already scopes a key by the caller, the action and the account.
/// Here it is also scoped by the thing acted on, so a key a client reuses
/// for another conversation, contact or message is another request, never a
/// silent replay of the first one's answer. Long keys are hashed, so that
/// every key the API accepts fits the log's 200 bytes with the ledger's prefix.
enum IdempotencyKeys {
    /// Keys up to this many bytes are kept as they are; longer ones are hashed.
    static let maxPlainBytes = 100

    /// The key the ledger is given for `key` sent with `action`.
    static func ledgerKey(_ key: String, for action: Action) -> String {
        fitted(target(of: action).map { "\($0):\(key)" } ?? key)
    }

    /// `text` itself when short, else its SHA-256 (71 bytes).
    static func fitted(_ text: String) -> String {
        text.utf8.count <= maxPlainBytes ? text : "sha256:" + Crypto.sha256Hex(text)
    }

    /// The thing `action` changes, when it changes one that already exists.
    /// Actions that create something, or that act on the caller or their
    /// account, have none: their key alone tells retries apart (and derives
    /// the secrets they carry).
    static func target(of action: Action) -> String? {
        switch action {
        case .createAccount, .updateAccount, .createUser, .inviteAgent, .setAvailability, .setPresence, .createInbox, .createTeam,
            .createLabel, .recordAudit, .createContact, .react, .startAutomation, .notifyWaiting:
            nil
        case .readNotifications(let ids):
            ids.map { "notifications/" + $0.map(String.init).joined(separator: ",") }
        case .issueAccessToken(let user, _), .addAccountUser(let user, _), .updateAccountUser(let user, _),
            .removeAccountUser(let user):
            "user/\(user)"
        case .updateInbox(let inbox, _, _), .setInboxMembers(let inbox, _):
            "inbox/\(inbox)"
        case .setTeamMembers(let team, _):
            "team/\(team)"
        case .deleteLabel(let label):
            "label/\(label)"
        case .saveCannedResponse(let id, _, _):
            id.map { "canned_response/\($0)" }
        case .deleteCannedResponse(let id):
            "canned_response/\(id)"
        case .saveWebhook(let id, _, _, _):
            id.map { "webhook/\($0)" }
        case .deleteWebhook(let id), .setWebhookDelivery(let id, _, _):
            "webhook/\(id)"
        case .updateContact(let contact, _), .createContactInbox(let contact, _):
            "contact/\(contact)"
        case .createConversation(let new):
            "inbox/\(new.inboxID)/contact/\(new.contactID)"
        case .toggleStatus(let conversation, _, _), .setPriority(let conversation, _), .assign(let conversation, _),
            .assignTeam(let conversation, _), .setLabels(let conversation, _), .setCustomAttributes(let conversation, _),
            .submitCSAT(let conversation, _, _), .typing(let conversation, _, _), .markRead(let conversation),
            .markUnread(let conversation), .sendMessage(let conversation, _):
            "conversation/\(conversation)"
        case .updateMessage(_, let message, _, _), .deleteMessage(_, let message):
            "message/\(message)"
        case .saveFAQ(let id, _):
            id.map { "faq/\($0)" }
        case .deleteFAQ(let id):
            "faq/\(id)"
        }
    }
}
