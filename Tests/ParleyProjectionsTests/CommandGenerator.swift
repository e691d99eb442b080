import ParleyDomain

/// A seeded source of valid-looking commands over several accounts, inboxes,
/// agents and contacts, in roughly a live chat's mix. Some commands may be
/// refused when run concurrently (a status already set): that is part of it.
struct CommandGenerator {
    struct Account {
        var id: UInt64
        var agents: [UInt64]
        var inboxes: [UInt64]
        var conversations: [UInt64] = []
        var contacts: [UInt64] = []
    }

    private var random: SplitMix
    private(set) var accounts: [Account] = []

    init(seed: UInt64) {
        random = SplitMix(seed: seed)
    }

    /// Commands that set up `accountCount` accounts, run one batch at a time
    /// (each batch depends on the previous one's ids).
    mutating func setup(accountCount: Int, agentsPerAccount: Int, inboxesPerAccount: Int) -> [[Command]] {
        var batches: [[Command]] = []
        var userID: UInt64 = 1
        var inboxID: UInt64 = 1
        for number in 1...accountCount {
            let account = UInt64(number)
            var batch = [Command(accountID: Platform.accountID, principal: .platform, action: .createAccount(name: "Account \(number)", locale: "en"))]
            var agents: [UInt64] = []
            for _ in 0..<agentsPerAccount {
                batch.append(
                    Command(
                        accountID: Platform.accountID, principal: .platform,
                        action: .createUser(name: "Agent \(userID)", email: "agent\(userID)@parley.test", tokenSha256: String(repeating: "0", count: 64))))
                agents.append(userID)
                userID += 1
            }
            batches.append(batch)
            batches.append(agents.enumerated().map { index, agent in
                Command(accountID: account, principal: .platform, action: .addAccountUser(userID: agent, role: index == 0 ? .administrator : .agent))
            })
            var inboxes: [UInt64] = []
            var inboxBatch: [Command] = []
            for _ in 0..<inboxesPerAccount {
                inboxBatch.append(
                    Command(
                        accountID: account, principal: .user(agents[0]),
                        action: .createInbox(channelType: .api, inboxIdentifier: "inbox-\(inboxID)", hmacToken: "h\(inboxID)", settings: InboxSettings(name: "Inbox \(inboxID)"))))
                inboxes.append(inboxID)
                inboxID += 1
            }
            batches.append(inboxBatch)
            batches.append(inboxes.map {
                Command(accountID: account, principal: .user(agents[0]), action: .setInboxMembers(inboxID: $0, userIDs: agents))
            })
            batches.append([
                Command(accountID: account, principal: .user(agents[0]), action: .createLabel(title: "billing", description: "", color: "#ff0000")),
                Command(accountID: account, principal: .user(agents[0]), action: .createTeam(name: "Tier 1", description: "")),
            ])
            accounts.append(Account(id: account, agents: agents, inboxes: inboxes))
        }
        return batches
    }

    /// Records a conversation the ledger created, so later commands can use it.
    mutating func created(conversation: UInt64, contact: UInt64, in account: UInt64) {
        guard let index = accounts.firstIndex(where: { $0.id == account }) else { return }
        accounts[index].conversations.append(conversation)
        accounts[index].contacts.append(contact)
    }

    /// A new contact and conversation in a random inbox of a random account,
    /// as two commands run one after the other.
    mutating func newConversation(nextContact: UInt64) -> (account: UInt64, commands: [Command]) {
        let account = accounts[random.below(accounts.count)]
        let agent = account.agents[0]
        return (
            account.id,
            [
                Command(accountID: account.id, principal: .user(agent), action: .createContact(details: ContactDetails(name: "Visitor \(nextContact)"), inbox: nil)),
                Command(
                    accountID: account.id, principal: .user(agent),
                    action: .createConversation(
                        NewConversation(
                            inboxID: account.inboxes[random.below(account.inboxes.count)], contactID: nextContact, sourceID: "source-\(nextContact)"))),
            ]
        )
    }

    /// One command on an existing conversation, in a live chat's mix.
    mutating func next() -> Command? {
        let candidates = accounts.filter { !$0.conversations.isEmpty }
        guard !candidates.isEmpty else { return nil }
        let account = candidates[random.below(candidates.count)]
        let slot = random.below(account.conversations.count)
        let conversation = account.conversations[slot]
        let contact = account.contacts[slot]
        let agent = account.agents[random.below(account.agents.count)]
        let roll = random.below(100)
        func command(_ principal: Principal, _ action: Action) -> Command {
            Command(accountID: account.id, principal: principal, action: action)
        }
        switch roll {
        case 0..<35:
            return command(.contact(contact), .sendMessage(conversationID: conversation, message: NewMessage(content: "question \(random.below(1000))")))
        case 35..<55:
            let isPrivate = random.below(5) == 0
            return command(.user(agent), .sendMessage(conversationID: conversation, message: NewMessage(content: "answer \(random.below(1000))", isPrivate: isPrivate)))
        case 55..<70:
            return command(random.below(2) == 0 ? .user(agent) : .contact(contact), .typing(conversationID: conversation, on: random.below(2) == 0, isPrivate: false))
        case 70..<80:
            return command(random.below(3) == 0 ? .contact(contact) : .user(agent), .markRead(conversationID: conversation))
        case 80..<84:
            let statuses: [ConversationStatus?] = [nil, .resolved, .pending, .open]
            return command(.user(agent), .toggleStatus(conversationID: conversation, status: statuses[random.below(statuses.count)], snoozedUntil: nil))
        case 84..<88:
            return command(.user(agent), .assign(conversationID: conversation, assigneeID: random.below(4) == 0 ? nil : account.agents[random.below(account.agents.count)]))
        case 88..<91:
            return command(.user(agent), .setLabels(conversationID: conversation, labels: random.below(2) == 0 ? ["billing"] : ["billing", "vip"]))
        case 91..<94:
            let priorities: [Priority?] = [nil, .low, .medium, .high, .urgent]
            return command(.user(agent), .setPriority(conversationID: conversation, priority: priorities[random.below(priorities.count)]))
        case 94..<96:
            return command(.user(agent), .assignTeam(conversationID: conversation, teamID: random.below(2) == 0 ? 1 : nil))
        case 96..<98:
            return command(.user(agent), .markUnread(conversationID: conversation))
        default:
            return command(.contact(contact), .submitCSAT(conversationID: conversation, rating: 1 + random.below(5), feedback: "thanks"))
        }
    }
}

/// A small, fast, seeded random number generator (SplitMix64).
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
