import Foundation
import ParleyDomain

/// A conversation list request, with Chatwoot's parameters.
public struct ConversationQuery: Sendable, Hashable {
    public enum StatusFilter: Sendable, Hashable {
        case only(ConversationStatus)
        case all
    }

    public enum AssigneeType: String, Sendable, Hashable, CaseIterable {
        case me, unassigned, assigned, all
    }

    public enum Sort: String, Sendable, Hashable, CaseIterable {
        /// Newest activity first (Chatwoot's default).
        case lastActivity = "last_activity_at"
        case createdAt = "created_at"
        /// Urgent first, then by last activity.
        case priority
        /// Longest waiting first; conversations not waiting last.
        case waitingSince = "waiting_since"
    }

    public static let pageSize = 25

    public var status: StatusFilter = .only(.open)
    public var assigneeType: AssigneeType = .all
    public var inboxID: UInt64?
    public var teamID: UInt64?
    /// Conversations carrying every one of these labels.
    public var labels: [String] = []
    /// Matches the display id, or the contact's name, email, phone or identifier.
    public var text: String?
    public var sort: Sort = .lastActivity
    /// From 1.
    public var page: Int = 1

    public init() {}
}

/// One page of a conversation list with Chatwoot's counts.
public struct ConversationPage: Sendable, Hashable {
    public var mineCount: Int
    public var assignedCount: Int
    public var unassignedCount: Int
    public var allCount: Int
    public var conversations: [ConversationView]
}

extension ConversationsProjection {
    /// The conversations of `account` that `user` may see and `query` selects.
    ///
    /// The counts cover every filter except the assignee type, as Chatwoot's
    /// `meta` does, so the tabs (mine, unassigned, all) show their sizes.
    ///
    /// One pass over the account's rows counts the matches and keeps only the
    /// first `page × 25` in the sort's order, so a list costs one scan of its
    /// account whatever the page, and full views are read only for the page
    /// returned (and for label or text filters).
    public func list(account: UInt64, user: UInt64, query: ConversationQuery) -> ConversationPage {
        let text = query.text.map { $0.lowercased().trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        let labels = query.labels.map { $0.lowercased() }
        let rows = conversations.rows(of: account)
        let pageSize = ConversationQuery.pageSize
        let pageIndex = query.page > 1 ? query.page - 1 : 0
        // The rows up to the end of the page asked for; none for a page past
        // every row of the account, which is empty whatever matches.
        let kept = pageIndex <= rows.count / pageSize ? (pageIndex + 1) * pageSize : 0
        var first = FirstRows(capacity: kept, sort: query.sort)
        var visibility = InboxVisibility(projection: self, user: user, account: account)
        var mine = 0
        var assigned = 0
        var candidates = 0
        // Newest conversations first: activity mostly follows creation, so the
        // first rows fill the page and most later ones are dropped at once.
        for row in rows.reversed() {
            if case .only(let status) = query.status, row.status != status { continue }
            if let inbox = query.inboxID, row.inboxID != inbox { continue }
            if let team = query.teamID, row.teamID != team { continue }
            guard visibility.allows(row.inboxID) else { continue }
            if !labels.isEmpty || text != nil {
                guard let view = conversations[Key(account: account, id: row.id)],
                    labels.allSatisfy({ view.labels.contains($0) }),
                    text.map({ String(view.id) == $0 || contactText(account: account, contact: view.contactID).contains($0) }) ?? true
                else { continue }
            }
            candidates += 1
            if row.assigneeID == user { mine += 1 }
            if row.assigneeID != nil { assigned += 1 }
            switch query.assigneeType {
            case .me where row.assigneeID != user, .assigned where row.assigneeID == nil, .unassigned where row.assigneeID != nil:
                continue
            default:
                first.offer(row)
            }
        }
        let ordered = first.ordered()
        let start = max(0, kept - pageSize)
        let page = start < ordered.count ? ordered[start..<min(ordered.count, start + pageSize)] : []
        return ConversationPage(
            mineCount: mine, assignedCount: assigned, unassignedCount: candidates - assigned, allCount: candidates,
            conversations: page.compactMap { conversations[Key(account: account, id: $0)] })
    }
}

extension ConversationsProjection {
    /// `sort`'s order as a comparison of views: the one lists page by.
    static func order(_ sort: ConversationQuery.Sort) -> (ConversationView, ConversationView) -> Bool {
        { FirstRows.key(ConversationRow($0), sort) > FirstRows.key(ConversationRow($1), sort) }
    }
}

/// Whether a user may see an inbox's conversations, looked up once per inbox
/// during a scan (administrators see every inbox).
private struct InboxVisibility {
    let projection: ConversationsProjection
    let user: UInt64
    let account: UInt64
    let administrator: Bool
    var known: [UInt64: Bool] = [:]

    init(projection: ConversationsProjection, user: UInt64, account: UInt64) {
        self.projection = projection
        self.user = user
        self.account = account
        administrator = projection.administrators[account]?.contains(user) == true
    }

    mutating func allows(_ inbox: UInt64) -> Bool {
        if administrator { return true }
        if let answer = known[inbox] { return answer }
        let answer = projection.userMaySee(user, inbox: inbox, account: account)
        known[inbox] = answer
        return answer
    }
}

/// The first `capacity` rows in a sort's order, of all rows offered: a heap
/// whose root is the last row kept, so a row after it is dropped at once.
struct FirstRows {
    /// A row's place in a sort: a greater key comes first. The id is part of
    /// every key, so no two rows tie and pages never overlap.
    struct SortKey: Comparable {
        var major: UInt64
        var middle: UInt64
        var minor: UInt64

        static func < (left: SortKey, right: SortKey) -> Bool {
            (left.major, left.middle, left.minor) < (right.major, right.middle, right.minor)
        }
    }

    let capacity: Int
    let sort: ConversationQuery.Sort
    private var heap: [(key: SortKey, id: UInt64)] = []

    init(capacity: Int, sort: ConversationQuery.Sort) {
        self.capacity = capacity
        self.sort = sort
    }

    /// Newest activity first; newest created first; urgent first, then newest
    /// activity; longest waiting first with those not waiting last. Ties go
    /// to the newest id.
    static func key(_ row: ConversationRow, _ sort: ConversationQuery.Sort) -> SortKey {
        switch sort {
        case .lastActivity: SortKey(major: row.lastActivityAt, middle: row.id, minor: 0)
        case .createdAt: SortKey(major: row.createdAt, middle: row.id, minor: 0)
        case .priority: SortKey(major: UInt64(row.priorityRank), middle: row.lastActivityAt, minor: row.id)
        case .waitingSince: SortKey(major: .max - (row.waitingSince ?? .max), middle: row.id, minor: 0)
        }
    }

    mutating func offer(_ row: ConversationRow) {
        guard capacity > 0 else { return }
        let key = Self.key(row, sort)
        if heap.count < capacity {
            heap.append((key, row.id))
            siftUp(heap.count - 1)
        } else if key > heap[0].key {
            heap[0] = (key, row.id)
            siftDown(0)
        }
    }

    /// The ids kept, first first.
    func ordered() -> [UInt64] {
        heap.sorted { $0.key > $1.key }.map(\.id)
    }

    private mutating func siftUp(_ index: Int) {
        let moving = heap[index]
        var hole = index
        while hole > 0 {
            let parent = (hole - 1) / 2
            guard moving.key < heap[parent].key else { break }
            heap[hole] = heap[parent]
            hole = parent
        }
        heap[hole] = moving
    }

    private mutating func siftDown(_ index: Int) {
        let moving = heap[index]
        var hole = index
        while true {
            let left = 2 * hole + 1
            guard left < heap.count else { break }
            let right = left + 1
            let smaller = right < heap.count && heap[right].key < heap[left].key ? right : left
            guard heap[smaller].key < moving.key else { break }
            heap[hole] = heap[smaller]
            hole = smaller
        }
        heap[hole] = moving
    }
}
