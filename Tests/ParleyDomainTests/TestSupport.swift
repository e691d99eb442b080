import EventSchemaCheck
import Testing

@testable import ParleyDomain

// MARK: - World

/// A domain state and a clock. ``run(_:_:in:sourceLocation:)`` decides a
/// command and applies its events in order, as the writer would, checking
/// every emitted event against its JSON Schema on the way.
struct World {
    var state = DomainState()
    /// The writer's clock, milliseconds since 1970.
    var now: UInt64 = 1_700_000_000_000
    /// Every event appended so far, in order.
    var log: [DomainEvent] = []

    /// The clock in epoch seconds, as `snoozed_until` counts.
    var nowSeconds: UInt64 { now / 1000 }

    /// Decides `action` and appends (applies) its events; returns them.
    @discardableResult
    mutating func run(
        _ principal: Principal, _ action: Action, in account: UInt64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws(DomainError) -> [DomainEvent] {
        let command = Command(accountID: account, principal: principal, action: action)
        let events = try Decider.decide(command, state: state, now: now)
        for event in events {
            do {
                try Self.expectConforms(event, sourceLocation: sourceLocation)
            } catch {
                // A schema that cannot be read fails the test like a violation.
                Issue.record(error, "\(event.type)", sourceLocation: sourceLocation)
            }
            state.apply(event, at: now)
            log.append(event)
        }
        return events
    }

    /// Checks `event` against its JSON Schema in `Schemas/events/`.
    static func expectConforms(_ event: DomainEvent, sourceLocation: SourceLocation) throws {
        #expect(try EventSchemas.violations(of: event).isEmpty, "\(event.type)", sourceLocation: sourceLocation)
    }

    /// Runs a command that must be refused: nothing appended, state unchanged.
    /// Returns the error (nil, with an issue recorded, when it was accepted).
    @discardableResult
    mutating func refusal(
        _ principal: Principal, _ action: Action, in account: UInt64, code: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> DomainError? {
        let before = state
        let appended = log.count
        var refused: DomainError?
        do {
            let events = try run(principal, action, in: account, sourceLocation: sourceLocation)
            Issue.record("expected a refusal, got \(events.map(\.type))", sourceLocation: sourceLocation)
        } catch {
            refused = error
        }
        #expect(log.count == appended, "a refused command appends nothing", sourceLocation: sourceLocation)
        let unchanged = state == before
        #expect(unchanged, "a refused command leaves the state unchanged", sourceLocation: sourceLocation)
        if let code {
            #expect(refused?.code == code, sourceLocation: sourceLocation)
        }
        return refused
    }

    /// Runs a command that must be refused with exactly `expected` (and so its code).
    mutating func refuse(
        _ principal: Principal, _ action: Action, in account: UInt64, with expected: DomainError,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = refusal(principal, action, in: account, code: expected.code, sourceLocation: sourceLocation)
        #expect(error == expected, sourceLocation: sourceLocation)
    }

    /// Runs a command that must change nothing: no events, state unchanged.
    mutating func expectNoChange(
        _ principal: Principal, _ action: Action, in account: UInt64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = state
        let events = try run(principal, action, in: account, sourceLocation: sourceLocation)
        #expect(events.isEmpty, sourceLocation: sourceLocation)
        let unchanged = state == before
        #expect(unchanged, "the state is unchanged", sourceLocation: sourceLocation)
    }

    mutating func advance(milliseconds: UInt64) { now += milliseconds }
}

// MARK: - Builders

/// A SHA-256 digest in hex (64 hex digits), distinct per seed.
func tokenHash(_ seed: UInt64) -> String {
    let hex = String(seed, radix: 16)
    return String(repeating: "a", count: 64 - hex.count) + hex
}

extension World {
    /// The platform creates an account; returns its id.
    mutating func createAccount(_ name: String) throws -> UInt64 {
        let events = try run(.platform, .createAccount(name: name, locale: "en"), in: Platform.accountID)
        return try #require(events.first).accountID
    }

    /// The platform creates a user (with a token); returns its id.
    mutating func createUser(_ name: String, email: String) throws -> UInt64 {
        let seed = state.nextUserID
        let events = try run(
            .platform, .createUser(name: name, email: email, tokenSha256: tokenHash(seed)), in: Platform.accountID)
        guard case .userCreated(let created) = try #require(events.first).body else {
            Issue.record("expected user.created")
            return 0
        }
        return created.userID
    }

    /// The platform creates a user and makes it a member of `account` with `role`.
    mutating func createMember(_ name: String, role: Role, in account: UInt64) throws -> UInt64 {
        let email = name.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.com"
        let user = try createUser(name, email: email)
        try run(.platform, .addAccountUser(userID: user, role: role), in: account)
        return user
    }

    mutating func createAdministrator(_ name: String, in account: UInt64) throws -> UInt64 {
        try createMember(name, role: .administrator, in: account)
    }

    mutating func createAgent(_ name: String, in account: UInt64) throws -> UInt64 {
        try createMember(name, role: .agent, in: account)
    }

    /// An administrator creates an API inbox with `members`; returns its id.
    mutating func createInbox(
        _ name: String, in account: UInt64, by admin: UInt64, members: [UInt64] = [],
        settings: InboxSettings? = nil
    ) throws -> UInt64 {
        let id = state.nextInboxID
        let events = try run(
            .user(admin),
            .createInbox(
                channelType: .api, inboxIdentifier: "inbox-identifier-\(id)", hmacToken: "hmac-token-\(id)",
                settings: settings ?? InboxSettings(name: name)),
            in: account)
        guard case .inboxCreated(let created) = try #require(events.first).body else {
            Issue.record("expected inbox.created")
            return 0
        }
        if !members.isEmpty {
            try run(.user(admin), .setInboxMembers(inboxID: created.inboxID, userIDs: members), in: account)
        }
        return created.inboxID
    }

    /// An agent (or Parley) creates a contact reachable in `inbox` under `sourceID`; returns its id.
    mutating func createContact(
        _ name: String, in account: UInt64, by principal: Principal, inbox: UInt64, sourceID: String,
        identifier: String? = nil, blocked: Bool = false
    ) throws -> UInt64 {
        let events = try run(
            principal,
            .createContact(
                details: ContactDetails(name: name, identifier: identifier, blocked: blocked),
                inbox: InboxSource(inboxID: inbox, sourceID: sourceID)),
            in: account)
        guard case .contactCreated(let created) = try #require(events.first).body else {
            Issue.record("expected contact.created")
            return 0
        }
        return created.contactID
    }

    /// Creates a conversation; returns its display id.
    mutating func createConversation(
        in account: UInt64, by principal: Principal, inbox: UInt64, contact: UInt64, sourceID: String,
        status: ConversationStatus = .open, message: NewMessage? = nil
    ) throws -> UInt64 {
        let events = try run(
            principal,
            .createConversation(
                NewConversation(inboxID: inbox, contactID: contact, sourceID: sourceID, status: status, message: message)),
            in: account)
        for event in events {
            if case .conversationCreated(let created) = event.body { return created.conversationID }
        }
        Issue.record("expected conversation.created")
        return 0
    }

    /// Sends a message; returns the message event's payload.
    @discardableResult
    mutating func send(
        _ content: String, as principal: Principal, to conversation: UInt64, in account: UInt64,
        type: MessageType = .outgoing, isPrivate: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> MessageCreated {
        let events = try run(
            principal,
            .sendMessage(
                conversationID: conversation, message: NewMessage(content: content, messageType: type, isPrivate: isPrivate)),
            in: account, sourceLocation: sourceLocation)
        return try #require(events.last?.createdMessage, sourceLocation: sourceLocation)
    }

    /// Sets a conversation's status explicitly, as the system would.
    mutating func setStatus(
        _ status: ConversationStatus, of conversation: UInt64, in account: UInt64, snoozedUntil: UInt64? = nil
    ) throws {
        try run(
            .system, .toggleStatus(conversationID: conversation, status: status, snoozedUntil: snoozedUntil), in: account)
    }

    /// One account with the usual cast, named after `prefix`.
    mutating func tenant(_ prefix: String) throws -> Tenant {
        let account = try createAccount("\(prefix) Corp")
        let admin = try createAdministrator("\(prefix) Admin", in: account)
        let agent = try createAgent("\(prefix) Agent", in: account)
        let outsider = try createAgent("\(prefix) Outsider", in: account)
        let inbox = try createInbox("\(prefix) Support", in: account, by: admin, members: [agent])
        let sourceID = "\(prefix.lowercased())-source-1"
        let contact = try createContact(
            "\(prefix) Customer", in: account, by: .user(agent), inbox: inbox, sourceID: sourceID)
        let conversation = try createConversation(
            in: account, by: .user(agent), inbox: inbox, contact: contact, sourceID: sourceID)
        return Tenant(
            prefix: prefix, account: account, admin: admin, agent: agent, outsider: outsider, inbox: inbox,
            contact: contact, sourceID: sourceID, conversation: conversation)
    }
}

/// The ids of one account's cast, as ``World/tenant(_:)`` makes them.
struct Tenant {
    let prefix: String
    let account: UInt64
    /// An administrator, member of no inbox.
    let admin: UInt64
    /// An agent, member of ``inbox``.
    let agent: UInt64
    /// An agent of the account who is not a member of ``inbox``.
    let outsider: UInt64
    let inbox: UInt64
    /// A contact reachable in ``inbox`` under ``sourceID``.
    let contact: UInt64
    let sourceID: String
    /// An open conversation (display id) of ``contact`` in ``inbox``, created by ``agent``.
    let conversation: UInt64

    var adminName: String { "\(prefix) Admin" }
    var agentName: String { "\(prefix) Agent" }
    var contactName: String { "\(prefix) Customer" }
    var inboxName: String { "\(prefix) Support" }

    /// Every name this tenant's data carries, for leak checks.
    var names: [String] { ["\(prefix) Corp", adminName, agentName, "\(prefix) Outsider", inboxName, contactName, sourceID] }

    var contactStream: String { StreamNames.contact(account, contact) }

    /// The streams of an event about ``conversation`` (or `id`), with the contact's when it may see it.
    func streams(_ id: UInt64? = nil, contact: UInt64? = nil, contactSees: Bool) -> [String] {
        let conversationID = id ?? conversation
        var streams = [
            StreamNames.account(account), StreamNames.conversation(account, conversationID),
            StreamNames.inbox(account, inbox),
        ]
        if contactSees { streams.append(StreamNames.contact(account, contact ?? self.contact)) }
        return streams
    }

    /// The activity message the domain generates for a change in ``conversation``.
    func activity(_ text: String, messageID: UInt64, by actor: Actor, conversation id: UInt64? = nil) -> DomainEvent {
        DomainEvent(
            accountID: account, actor: actor, streams: streams(id, contactSees: false),
            body: .messageCreated(
                MessageCreated(
                    messageID: messageID, conversationID: id ?? conversation, messageType: .activity, content: text,
                    contentType: "text", contentAttributes: [:], private: false, sender: nil, attachments: [],
                    echoID: nil)))
    }
}

// MARK: - Reading events

extension DomainEvent {
    var createdMessage: MessageCreated? {
        if case .messageCreated(let message) = body { return message }
        return nil
    }

    var statusChange: ConversationStatusChanged? {
        if case .statusChanged(let change) = body { return change }
        return nil
    }
}

extension World {
    /// The conversation `id` of `account` as the state holds it.
    func conversation(_ id: UInt64, in account: UInt64) -> ConversationRecord? {
        state.accounts[account]?.conversations[id]
    }

    /// A copy of this world where `account` and everything in it never existed.
    func erasing(account: UInt64) -> World {
        var copy = self
        copy.state.accounts[account] = nil
        copy.state.messages = copy.state.messages.filter { $0.value.accountID != account }
        return copy
    }
}

/// An attachment's metadata, numbered.
func attachment(_ number: Int) -> ParleyDomain.Attachment {
    ParleyDomain.Attachment(fileType: .image, url: "https://cdn.example.com/\(number).png", name: "\(number).png", size: 1024)
}
