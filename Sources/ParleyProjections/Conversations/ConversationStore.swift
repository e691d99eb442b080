import ParleyDomain

/// The conversations of every account by account and id, and, derived from
/// them, a compact row per conversation grouped by account and kept in order
/// of newest activity: a list reads only its own account's rows and full
/// views only for the page it returns (and for label or text filters), under
/// the projections' lock that appends also take.
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

    /// One account's rows.
    func rows(of account: UInt64) -> AccountRows {
        rowsByAccount[account] ?? AccountRows()
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
    /// encoding had; the activity order is sorted once, not built by inserts.
    init(from decoder: any Decoder) throws {
        self.init()
        views = try [Key: ConversationView](from: decoder)
        var rows: [UInt64: [ConversationRow]] = [:]
        for (key, view) in views.sorted(by: { $0.key < $1.key }) { rows[key.account, default: []].append(ConversationRow(view)) }
        rowsByAccount = rows.mapValues { AccountRows(rows: $0) }
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

/// One account's rows: contiguous for scanning, in the order they were
/// created (a removal moves the last row into the gap), each with its
/// position so an update replaces it in place, and linked in order of newest
/// activity (last activity, then id, both descending: the default list's
/// order).
///
/// Activity comes from the log's clock, which never goes back, so a row whose
/// activity changes is relinked at or within a few steps of the newest end.
struct AccountRows: Sendable {
    private(set) var rows: [ConversationRow] = []
    private var positions: [UInt64: Int] = [:]
    /// For each row, the position of the row with the next older activity,
    /// and of the next newer; -1 past either end.
    private var older: [Int] = []
    private var newer: [Int] = []
    private var newest = -1

    init() {}

    /// Rows in the order they were created; the activity order is sorted once.
    init(rows: [ConversationRow]) {
        self.rows = rows
        positions = Dictionary(uniqueKeysWithValues: rows.indices.map { (rows[$0].id, $0) })
        older = Array(repeating: -1, count: rows.count)
        newer = Array(repeating: -1, count: rows.count)
        let order = rows.indices.sorted { Self.isNewer(rows[$0], than: rows[$1]) }
        for (rank, index) in order.enumerated() {
            newer[index] = rank > 0 ? order[rank - 1] : -1
            older[index] = rank + 1 < order.count ? order[rank + 1] : -1
        }
        newest = order.first ?? -1
    }

    static func isNewer(_ row: ConversationRow, than other: ConversationRow) -> Bool {
        (row.lastActivityAt, row.id) > (other.lastActivityAt, other.id)
    }

    mutating func set(_ row: ConversationRow) {
        if let index = positions[row.id] {
            let moved = rows[index].lastActivityAt != row.lastActivityAt
            rows[index] = row
            if moved {
                unlink(index)
                link(index)
            }
        } else {
            positions[row.id] = rows.count
            rows.append(row)
            older.append(-1)
            newer.append(-1)
            link(rows.count - 1)
        }
    }

    /// Removes a row by moving the last row into its place.
    mutating func remove(_ id: UInt64) {
        guard let index = positions.removeValue(forKey: id) else { return }
        unlink(index)
        let last = rows.count - 1
        if index < last {
            rows[index] = rows[last]
            positions[rows[index].id] = index
            older[index] = older[last]
            newer[index] = newer[last]
            if newer[index] < 0 { newest = index } else { older[newer[index]] = index }
            if older[index] >= 0 { newer[older[index]] = index }
        }
        rows.removeLast()
        older.removeLast()
        newer.removeLast()
    }

    /// Links an unlinked row in at its place, looking from the newest end.
    private mutating func link(_ index: Int) {
        var before = -1
        var after = newest
        while after >= 0, Self.isNewer(rows[after], than: rows[index]) {
            before = after
            after = older[after]
        }
        newer[index] = before
        older[index] = after
        if before < 0 { newest = index } else { older[before] = index }
        if after >= 0 { newer[after] = index }
    }

    private mutating func unlink(_ index: Int) {
        let (before, after) = (newer[index], older[index])
        if before < 0 { newest = after } else { older[before] = after }
        if after >= 0 { newer[after] = before }
    }

    /// The rows, newest activity first.
    var byActivity: ByActivity { ByActivity(rows: rows, older: older, upcoming: newest) }

    struct ByActivity: Sequence, IteratorProtocol {
        let rows: [ConversationRow]
        let older: [Int]
        var upcoming: Int

        mutating func next() -> ConversationRow? {
            guard upcoming >= 0 else { return nil }
            defer { upcoming = older[upcoming] }
            return rows[upcoming]
        }
    }
}
