import Foundation
import ParleyDomain
@testable import ParleyProjections
import Testing

/// The store behind lists keeps each account's rows in order of newest
/// activity through inserts, updates (in the same millisecond too),
/// removals and a decode.
@Suite struct ConversationListStoreTests {
    static func view(account: UInt64, id: UInt64, activity: UInt64) -> ConversationView {
        ConversationView(
            accountID: account, id: id, inboxID: 1, contactID: id, status: .open, snoozedUntil: nil, assigneeID: nil, teamID: nil,
            priority: nil, labels: [], customAttributes: [:], createdAt: activity, lastActivityAt: activity, waitingSince: nil,
            firstReplyCreatedAt: nil, lastMessage: nil, messagesCount: 0, csatRating: nil)
    }

    /// The ids of an account, newest activity first, as sorting every view gives them.
    static func expected(_ store: ConversationStore, account: UInt64) -> [UInt64] {
        store.values.filter { $0.accountID == account }.sorted { ($0.lastActivityAt, $0.id) > ($1.lastActivityAt, $1.id) }.map(\.id)
    }

    @Test func activityOrderFollowsEveryChange() throws {
        var store = ConversationStore()
        var random = SystemRandomNumberGenerator()
        var clock: UInt64 = 1_000
        var alive: [UInt64: Set<UInt64>] = [1: [], 2: []]
        for step in 0..<3_000 {
            let account = UInt64(step % 2 + 1)
            // Several changes share a millisecond, as in one group commit.
            if step % 3 == 0 { clock += 1 }
            let roll = Int.random(in: 0..<10, using: &random)
            if roll < 3 || alive[account]!.isEmpty {
                let id = UInt64(step + 1)
                store[ConversationsProjection.Key(account: account, id: id)] = Self.view(account: account, id: id, activity: clock)
                alive[account]!.insert(id)
            } else if roll < 9 {
                let id = alive[account]!.randomElement(using: &random)!
                let key = ConversationsProjection.Key(account: account, id: id)
                var view = try #require(store[key])
                if roll < 8 { view.lastActivityAt = clock } else { view.status = .pending }
                store[key] = view
            } else {
                let id = alive[account]!.randomElement(using: &random)!
                store[ConversationsProjection.Key(account: account, id: id)] = nil
                alive[account]!.remove(id)
            }
        }
        for account in [1, 2] as [UInt64] {
            let rows = store.rows(of: account)
            #expect(rows.byActivity.map(\.id) == Self.expected(store, account: account))
            #expect(Set(rows.rows.map(\.id)) == alive[account]!)
        }
    }

    @Test func aDecodedStoreHasTheSameOrderAndEqualsTheOriginal() throws {
        var store = ConversationStore()
        for id in 1...200 as ClosedRange<UInt64> {
            store[ConversationsProjection.Key(account: 1, id: id)] = Self.view(account: 1, id: id, activity: 5_000 - id / 3)
        }
        let decoded = try JSONDecoder().decode(ConversationStore.self, from: JSONEncoder().encode(store))
        #expect(decoded == store)
        #expect(decoded.rows(of: 1).byActivity.map(\.id) == store.rows(of: 1).byActivity.map(\.id))
        #expect(decoded.rows(of: 1).byActivity.map(\.id) == Self.expected(store, account: 1))
        #expect(decoded.rows(of: 1).rows.map(\.id) == Array(1...200))
        #expect(decoded.rows(of: 2).byActivity.map(\.id).isEmpty)
    }
}
