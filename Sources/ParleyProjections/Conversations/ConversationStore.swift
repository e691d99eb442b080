import ParleyDomain

/// The conversations of every account by account and id, and, derived from
/// them, a compact row per conversation grouped by account: a list scans only
/// its own account's rows and reads full views only for the page it returns
/// (and for label or text filters), under the projections' lock that appends
/// also take.
///
/// Equality, hashing and the encoding cover the views only; the rows are
/// rebuilt when a store is decoded.
struct ConversationStore: Sendable, Hashable, Codable, Sequence {
    typealias Key = ConversationsProjection.Key

    private var views: [Key: ConversationView] = [:]
    private var rowsByAccount: [UInt64: AccountRows] = [:]

    init() {}

    subscript(key: Key) -> ConversationView? {
        get { views[key] }
        set {
            views[key] = newValue
            if let newValue {
                rowsByAccount[key.account, default: AccountRows()].set(ConversationRow(newValue))
            } else {
                rowsByAccount[key.account]?.remove(key.id)
            }
        }
    }

    var values: Dictionary<Key, ConversationView>.Values { views.values }

    /// The rows of one account's conversations in the order they were created
    /// (a removal moves the last row into the gap).
    func rows(of account: UInt64) -> [ConversationRow] {
        rowsByAccount[account]?.rows ?? []
    }

    func makeIterator() -> Dictionary<Key, ConversationView>.Iterator {
        views.makeIterator()
    }

    static func == (left: ConversationStore, right: ConversationStore) -> Bool {
        left.views == right.views
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(views)
    }

    /// Rows go in in id order, as they were created, whatever order the
    /// encoding had.
    init(from decoder: any Decoder) throws {
        self.init()
        for (key, view) in try [Key: ConversationView](from: decoder).sorted(by: { $0.key < $1.key }) { self[key] = view }
    }

    func encode(to encoder: any Encoder) throws {
        try views.encode(to: encoder)
    }
}

/// What a list filters and sorts on, copied from a conversation's view.
struct ConversationRow: Sendable {
    var id: UInt64
    var inboxID: UInt64
    var assigneeID: UInt64?
    var teamID: UInt64?
    var status: ConversationStatus
    var priorityRank: Int
    var createdAt: UInt64
    var lastActivityAt: UInt64
    var waitingSince: UInt64?

    init(_ view: ConversationView) {
        id = view.id
        inboxID = view.inboxID
        assigneeID = view.assigneeID
        teamID = view.teamID
        status = view.status
        priorityRank = view.priority?.rank ?? 0
        createdAt = view.createdAt
        lastActivityAt = view.lastActivityAt
        waitingSince = view.waitingSince
    }
}

/// One account's rows, contiguous for scanning, with each conversation's
/// position so an update replaces its row in place.
struct AccountRows: Sendable {
    private(set) var rows: [ConversationRow] = []
    private var positions: [UInt64: Int] = [:]

    mutating func set(_ row: ConversationRow) {
        if let index = positions[row.id] {
            rows[index] = row
        } else {
            positions[row.id] = rows.count
            rows.append(row)
        }
    }

    /// Removes a row by moving the last row into its place.
    mutating func remove(_ id: UInt64) {
        guard let index = positions.removeValue(forKey: id) else { return }
        let last = rows.removeLast()
        if index < rows.count {
            rows[index] = last
            positions[last.id] = index
        }
    }
}
