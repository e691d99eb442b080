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
    /// Only the account's rows are read, and full views only for the page
    /// returned (and for label or text filters). Newest activity first (the
    /// default) walks the account's activity order until the page is full,
    /// after one pass that counts; the other sorts, and label or text
    /// filters, take one pass that counts and keeps the first `page × 25` in
    /// the sort's order.
    public func list(account: UInt64, user: UInt64, query: ConversationQuery) -> ConversationPage {
        let rows = conversations.rows(of: account)
        var filter = RowFilter(projection: self, account: account, user: user, query: query)
        let pageSize = ConversationQuery.pageSize
        let pageIndex = query.page > 1 ? query.page - 1 : 0
        // A page past every row of the account is empty whatever matches.
        let pageStart = pageIndex <= rows.rows.count / pageSize ? pageIndex * pageSize : nil
        var counts = (mine: 0, assigned: 0, all: 0)
        func count(_ row: ConversationRow) {
            counts.all += 1
            if row.assigneeID == user { counts.mine += 1 }
            if row.assigneeID != nil { counts.assigned += 1 }
        }
        var page: [UInt64] = []
        if query.sort == .lastActivity, !filter.readsViews {
            for row in rows.rows where filter.matches(row) { count(row) }
            if let pageStart {
                var skipped = 0
                for row in rows.byActivity where filter.matches(row) && filter.selects(row) {
                    if skipped < pageStart {
                        skipped += 1
                    } else {
                        page.append(row.id)
                        if page.count == pageSize { break }
                    }
                }
            }
        } else {
            var first = FirstRows(capacity: pageStart.map { $0 + pageSize } ?? 0, sort: query.sort)
            // Newest conversations first: the other sorts mostly follow
            // creation, so the first rows fill the page and most later ones
            // are dropped at once.
            for row in rows.rows.reversed() where filter.matches(row) {
                count(row)
                if filter.selects(row) { first.offer(row) }
            }
            let ordered = first.ordered()
            if let pageStart, pageStart < ordered.count { page = Array(ordered[pageStart..<min(ordered.count, pageStart + pageSize)]) }
        }
        return ConversationPage(
            mineCount: counts.mine, assignedCount: counts.assigned, unassignedCount: counts.all - counts.assigned,
            allCount: counts.all, conversations: page.compactMap { conversations[Key(account: account, id: $0)] })
    }
}

/// A list query's filters applied to rows: what the user may see (inbox
/// visibility looked up once per inbox), status, inbox, team, labels and
/// text, and then the assignee type.
private struct RowFilter {
    let projection: ConversationsProjection
    let account: UInt64
    let user: UInt64
    let query: ConversationQuery
    let administrator: Bool
    let labels: [String]
    let text: String?
    var visibleInboxes: [UInt64: Bool] = [:]

    init(projection: ConversationsProjection, account: UInt64, user: UInt64, query: ConversationQuery) {
        self.projection = projection
        self.account = account
        self.user = user
        self.query = query
        administrator = projection.administrators[account]?.contains(user) == true
        labels = query.labels.map { $0.lowercased() }
        text = query.text.map { $0.lowercased().trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether a filter needs the full view (labels, contact text).
    var readsViews: Bool { !labels.isEmpty || text != nil }

    /// Every filter but the assignee type: what the counts count.
    mutating func matches(_ row: ConversationRow) -> Bool {
        if case .only(let status) = query.status, row.status != status { return false }
        if let inbox = query.inboxID, row.inboxID != inbox { return false }
        if let team = query.teamID, row.teamID != team { return false }
        guard maySee(row.inboxID) else { return false }
        guard readsViews else { return true }
        guard let view = projection.conversation(account: account, id: row.id) else { return false }
        return labels.allSatisfy { view.labels.contains($0) }
            && text.map { String(view.id) == $0 || projection.contactText(account: account, contact: view.contactID).contains($0) } ?? true
    }

    /// The assignee type, for a row that ``matches(_:)``.
    func selects(_ row: ConversationRow) -> Bool {
        switch query.assigneeType {
        case .me: row.assigneeID == user
        case .assigned: row.assigneeID != nil
        case .unassigned: row.assigneeID == nil
        case .all: true
        }
    }

    private mutating func maySee(_ inbox: UInt64) -> Bool {
        if administrator { return true }
        if let known = visibleInboxes[inbox] { return known }
        let answer = projection.userMaySee(user, inbox: inbox, account: account)
        visibleInboxes[inbox] = answer
        return answer
    }
}

extension ConversationsProjection {
    /// `sort`'s order as a comparison of views: the one lists page by.
    static func order(_ sort: ConversationQuery.Sort) -> (ConversationView, ConversationView) -> Bool {
        { FirstRows.key(ConversationRow($0), sort) > FirstRows.key(ConversationRow($1), sort) }
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
