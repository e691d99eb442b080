extension Action {
    /// The action's case name, such as `sendMessage`: part of every
    /// idempotency key, so it is a plain switch rather than a description of
    /// the whole action (whose message content may be large).
    public var name: String {
        switch self {
        case .createAccount: "createAccount"
        case .updateAccount: "updateAccount"
        case .createUser: "createUser"
        case .issueAccessToken: "issueAccessToken"
        case .addAccountUser: "addAccountUser"
        case .inviteAgent: "inviteAgent"
        case .updateAccountUser: "updateAccountUser"
        case .removeAccountUser: "removeAccountUser"
        case .setAvailability: "setAvailability"
        case .setPresence: "setPresence"
        case .createInbox: "createInbox"
        case .updateInbox: "updateInbox"
        case .setInboxMembers: "setInboxMembers"
        case .createTeam: "createTeam"
        case .setTeamMembers: "setTeamMembers"
        case .createLabel: "createLabel"
        case .deleteLabel: "deleteLabel"
        case .saveCannedResponse: "saveCannedResponse"
        case .deleteCannedResponse: "deleteCannedResponse"
        case .saveWebhook: "saveWebhook"
        case .deleteWebhook: "deleteWebhook"
        case .setWebhookDelivery: "setWebhookDelivery"
        case .recordAudit: "recordAudit"
        case .createContact: "createContact"
        case .updateContact: "updateContact"
        case .createContactInbox: "createContactInbox"
        case .createConversation: "createConversation"
        case .toggleStatus: "toggleStatus"
        case .setPriority: "setPriority"
        case .assign: "assign"
        case .assignTeam: "assignTeam"
        case .setLabels: "setLabels"
        case .setCustomAttributes: "setCustomAttributes"
        case .submitCSAT: "submitCSAT"
        case .typing: "typing"
        case .markRead: "markRead"
        case .markUnread: "markUnread"
        case .sendMessage: "sendMessage"
        case .updateMessage: "updateMessage"
        case .deleteMessage: "deleteMessage"
        }
    }
}
