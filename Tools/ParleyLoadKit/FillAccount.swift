import ParleyDomain
import ParleyProjections

/// One account of a fill, set up as an administrator would: ten users (the
/// first an administrator), two inboxes everyone works in, a team, labels, a
/// canned response, a webhook and a sign-in in the audit trail.
struct FillAccount: Sendable {
    var id: UInt64
    var admin: UInt64
    var agents: [UInt64]
    var inboxes: [UInt64]
    var labels: [String]

    static let labels = ["billing", "bug", "vip"]

    static func create(on ledger: CommandLedger, counter: FillCounter) async throws -> FillAccount {
        let created = try await counter.execute(ledger, Platform.accountID, .platform, .createAccount(name: "Fill", locale: "en"))
        guard let account = created.first?.event.accountID else { throw HarnessError.childFailed("no account created") }
        var users: [UInt64] = []
        for index in 0..<10 {
            let user = try id(
                await counter.execute(
                    ledger, Platform.accountID, .platform,
                    .createUser(
                        name: "Agent \(index)", email: "agent\(index)@fill-\(account).test",
                        tokenSha256: String(repeating: "0", count: 64)))
            ) { if case .userCreated(let e) = $0 { e.userID } else { nil } }
            try await counter.execute(
                ledger, account, .platform, .addAccountUser(userID: user, role: index == 0 ? .administrator : .agent))
            users.append(user)
        }
        let admin = Principal.user(users[0])
        var inboxes: [UInt64] = []
        for (index, channel) in [ChannelType.webWidget, .api].enumerated() {
            let inbox = try id(
                await counter.execute(
                    ledger, account, admin,
                    .createInbox(
                        channelType: channel, inboxIdentifier: "fill-\(account)-\(index)", hmacToken: "fill-hmac",
                        settings: InboxSettings(name: index == 0 ? "Website" : "App")))
            ) { if case .inboxCreated(let e) = $0 { e.inboxID } else { nil } }
            try await counter.execute(ledger, account, admin, .setInboxMembers(inboxID: inbox, userIDs: users))
            inboxes.append(inbox)
        }
        let team = try id(
            await counter.execute(ledger, account, admin, .createTeam(name: "Support", description: "First line"))
        ) { if case .teamCreated(let e) = $0 { e.teamID } else { nil } }
        try await counter.execute(ledger, account, admin, .setTeamMembers(teamID: team, userIDs: Array(users[1...5])))
        for label in labels {
            try await counter.execute(ledger, account, admin, .createLabel(title: label, description: "", color: "#1f93ff"))
        }
        try await counter.execute(
            ledger, account, admin, .saveCannedResponse(id: nil, shortCode: "hello", content: "Hello! How can we help?"))
        try await counter.execute(
            ledger, account, admin,
            .saveWebhook(id: nil, url: "https://hooks.example.test/parley/\(account)", subscriptions: ["message_created"]))
        try await counter.execute(
            ledger, account, .system,
            .recordAudit(action: "sign_in", targetType: "User", targetID: users[0], ipAddress: "10.0.0.1", details: [:]))
        return FillAccount(id: account, admin: users[0], agents: Array(users.dropFirst()), inboxes: inboxes, labels: labels)
    }

    /// The id `extract` finds in the first event it finds one in.
    static func id(_ events: [StoredEvent], _ extract: (EventBody) -> UInt64?) throws -> UInt64 {
        guard let id = events.compactMap({ extract($0.event.body) }).first else {
            throw HarnessError.childFailed("no id in \(events.map(\.entry.type))")
        }
        return id
    }
}
