import ParleyDomain
import ParleyProjections

/// One conversation of a fill, start to end: a contact writes in, the
/// conversation is assigned, contact and agent exchange messages (some with
/// typing indicators, read markers along the way), it may get labels or a
/// priority, and the agent resolves it. Every twentieth also records an
/// administrative action in the audit trail. It stops early, between
/// commands, once the fill has appended `stopAt` events.
struct FillScript: Sendable {
    /// The most events any command here appends (a new conversation with its
    /// first message, a resolve with its activity message …).
    static let maxEventsPerCommand = 4
    /// Far below the 200 messages a conversation may take in a minute.
    static let maxMessages = 24

    var account: FillAccount
    var n: Int
    var counter: FillCounter
    var stopAt: UInt64

    func run(on ledger: CommandLedger) async throws {
        let inbox = account.inboxes[n % account.inboxes.count]
        let agent = account.agents[n % account.agents.count]
        let admin = Principal.user(account.admin)
        let source = "fill-\(account.id)-\(n)"
        guard let created = try await execute(
            ledger, admin,
            .createContact(
                details: ContactDetails(name: "Visitor \(n)", email: "visitor\(n)@fill.test"),
                inbox: InboxSource(inboxID: inbox, sourceID: source)))
        else { return }
        let contactID = try FillAccount.id(created) { if case .contactCreated(let e) = $0 { e.contactID } else { nil } }
        let contact = Principal.contact(contactID)
        guard let opened = try await execute(
            ledger, contact,
            .createConversation(
                NewConversation(
                    inboxID: inbox, contactID: contactID, sourceID: source,
                    message: NewMessage(content: "Hi, I have a question about order \(10_000 + n)."))))
        else { return }
        let conversation = try FillAccount.id(opened) { if case .conversationCreated(let e) = $0 { e.conversationID } else { nil } }
        var steps: [(Principal, Action)] = [(admin, .assign(conversationID: conversation, assigneeID: agent))]
        let messages = 4 + (n * 7) % (Self.maxMessages - 4)
        for index in 0..<messages {
            let fromContact = index % 2 == 1
            let sender = fromContact ? contact : .user(agent)
            let typed = (n + index) % 4 == 0
            if typed { steps.append((sender, .typing(conversationID: conversation, on: true, isPrivate: false))) }
            let text = fromContact ? "Thanks, here is more detail (\(index))." : "Let me check that for you (\(index))."
            steps.append((sender, .sendMessage(conversationID: conversation, message: NewMessage(content: text))))
            if typed { steps.append((sender, .typing(conversationID: conversation, on: false, isPrivate: false))) }
            if index % 3 == 2 { steps.append((fromContact ? .user(agent) : contact, .markRead(conversationID: conversation))) }
        }
        switch n % 5 {
        case 0: steps.append((.user(agent), .setLabels(conversationID: conversation, labels: [account.labels[n % account.labels.count]])))
        case 1: steps.append((.user(agent), .setPriority(conversationID: conversation, priority: n % 2 == 0 ? .high : .low)))
        default: break
        }
        steps.append((.user(agent), .toggleStatus(conversationID: conversation, status: .resolved, snoozedUntil: nil)))
        if n % 20 == 0 {
            steps.append(
                (.system, .recordAudit(
                    action: "conversation_export", targetType: "Conversation", targetID: conversation,
                    ipAddress: "10.1.\(n / 256 % 256).\(n % 256)", details: ["format": .string("csv")])))
        }
        for (principal, action) in steps {
            guard try await execute(ledger, principal, action) != nil else { return }
        }
    }

    /// The command's events, or nil (and nothing done) once the fill has enough.
    private func execute(_ ledger: CommandLedger, _ principal: Principal, _ action: Action) async throws -> [StoredEvent]? {
        guard counter.appended < stopAt else { return nil }
        return try await counter.execute(ledger, account.id, principal, action)
    }
}
