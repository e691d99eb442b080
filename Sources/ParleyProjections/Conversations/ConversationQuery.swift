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
    public func list(account: UInt64, user: UInt64, query: ConversationQuery) -> ConversationPage {
        let text = query.text?.lowercased().trimmingCharacters(in: .whitespaces)
        let candidates = allConversations.filter { view in
            guard view.accountID == account, userMaySee(user, inbox: view.inboxID, account: account) else { return false }
            if case .only(let status) = query.status, view.status != status { return false }
            if let inbox = query.inboxID, view.inboxID != inbox { return false }
            if let team = query.teamID, view.teamID != team { return false }
            if !query.labels.allSatisfy({ view.labels.contains($0.lowercased()) }) { return false }
            if let text, !text.isEmpty {
                return String(view.id) == text || contactText(account: account, contact: view.contactID).contains(text)
            }
            return true
        }
        let mine = candidates.filter { $0.assigneeID == user }
        let assigned = candidates.filter { $0.assigneeID != nil }
        let selected: [ConversationView]
        switch query.assigneeType {
        case .me: selected = mine
        case .assigned: selected = assigned
        case .unassigned: selected = candidates.filter { $0.assigneeID == nil }
        case .all: selected = candidates
        }
        let sorted = selected.sorted(by: Self.order(query.sort))
        let pageIndex = query.page > 1 ? query.page - 1 : 0
        let start = min(pageIndex, sorted.count / ConversationQuery.pageSize + 1) * ConversationQuery.pageSize
        let page = start < sorted.count ? Array(sorted[start..<min(sorted.count, start + ConversationQuery.pageSize)]) : []
        return ConversationPage(
            mineCount: mine.count, assignedCount: assigned.count, unassignedCount: candidates.count - assigned.count,
            allCount: candidates.count, conversations: page)
    }

    /// A total order for each sort, ties broken by id (newest first) so pages never overlap.
    static func order(_ sort: ConversationQuery.Sort) -> (ConversationView, ConversationView) -> Bool {
        switch sort {
        case .lastActivity:
            return { ($0.lastActivityAt, $0.id) > ($1.lastActivityAt, $1.id) }
        case .createdAt:
            return { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        case .priority:
            return {
                ($0.priority?.rank ?? 0, $0.lastActivityAt, $0.id) > ($1.priority?.rank ?? 0, $1.lastActivityAt, $1.id)
            }
        case .waitingSince:
            return {
                let left = $0.waitingSince ?? .max
                let right = $1.waitingSince ?? .max
                return left != right ? left < right : $0.id > $1.id
            }
        }
    }
}
