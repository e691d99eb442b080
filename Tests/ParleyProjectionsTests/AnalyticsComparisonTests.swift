import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections
import Testing

/// The analytics projection against a naive recomputation from the stored
/// events: thousands of generated commands spread over months by a clock
/// that jumps minutes to days, every metric compared bucket by bucket for
/// many scopes, groupings and timezone offsets.
@Suite struct AnalyticsComparisonTests {
    /// 2024-01-24 13:17:05 UTC, a Wednesday: the run crosses weeks, months and a leap day.
    static let start: UInt64 = 1_706_102_225

    struct Run {
        var analytics: AnalyticsProjection
        var naive: NaiveReports
        var events: [StoredEvent]
        var accounts: [CommandGenerator.Account]
        var teams: [UInt64: UInt64]
    }

    /// Drives a ledger with the seeded mix and returns what it folded.
    static func generate(seed: UInt64, commands total: Int) async throws -> Run {
        let clock = AnalyticsClock(millis: start * 1000 + 123)
        return try await withClockedLedger(clock) { ledger in
            var mix = AnalyticsCommandMix(seed: seed)
            for batch in mix.base.setup(accountCount: 2, agentsPerAccount: 4, inboxesPerAccount: 3) {
                for command in batch {
                    for stored in try await ledger.execute(command).events {
                        if case .teamCreated(let team) = stored.event.body { mix.teams[stored.event.accountID] = team.teamID }
                    }
                }
            }
            var nextContact: UInt64 = 1
            var issued = 0
            while issued < total {
                // Minutes, hours or days pass, never in whole seconds.
                switch mix.below(100) {
                case 0..<55: clock.advance(millis: UInt64(60_000 + mix.below(50 * 60_000)))
                case 55..<88: clock.advance(millis: UInt64(3_600_000 + mix.below(9 * 3_600_000)))
                default: clock.advance(millis: UInt64(86_400_000 + mix.below(2 * 86_400_000)))
                }
                if mix.base.accounts.allSatisfy({ $0.conversations.isEmpty }) || mix.below(100) < 60 {
                    let (account, commands) = mix.newConversation(nextContact: nextContact)
                    var conversation: UInt64?
                    for command in commands {
                        for stored in try await ledger.execute(command).events {
                            if case .conversationCreated(let created) = stored.event.body { conversation = created.conversationID }
                        }
                    }
                    mix.base.created(conversation: try #require(conversation), contact: nextContact, in: account)
                    nextContact += 1
                    issued += commands.count
                    clock.advance(millis: UInt64(1 + mix.below(90_000)))
                }
                var batch: [Command] = []
                for _ in 0..<(1 + mix.below(24)) { if let command = mix.next() { batch.append(command) } }
                try await DeterminismTests.run(batch, on: ledger)
                issued += batch.count
            }
            let live = ledger.withProjections { $0.analytics }
            let rebuilt = try await ledger.rebuildProjections().analytics
            #expect(live == rebuilt)
            #expect(try Digest.of(live) == Digest.of(rebuilt))
            let events = try await storedEvents(ledger)
            return Run(analytics: live, naive: NaiveReports(events: events), events: events, accounts: mix.base.accounts, teams: mix.teams)
        }
    }

    static func scopes(of account: CommandGenerator.Account, team: UInt64?) -> [ReportScope] {
        [.account] + account.agents.map { .agent($0) } + account.inboxes.map { .inbox($0) } + (team.map { [.team($0)] } ?? [])
            + [.label("billing"), .label("vip"), .label("urgent"), .label("nobody")]
    }

    static func describe(_ scope: ReportScope) -> String {
        switch scope {
        case .account: "account"
        case .agent(let id): "agent \(id)"
        case .inbox(let id): "inbox \(id)"
        case .team(let id): "team \(id)"
        case .label(let title): "label \(title)"
        }
    }

    /// The first point where the two series differ, described; nil when they agree.
    static func firstDifference(_ projected: [ReportPoint], _ naive: [NaiveReports.Point]) -> String? {
        guard projected.count == naive.count else {
            return "\(projected.count) buckets, naive \(naive.count); first \(projected.first.map { "\($0.timestamp)" } ?? "-")"
                + " vs \(naive.first.map { "\($0.start)" } ?? "-")"
        }
        for (index, (left, right)) in zip(projected, naive).enumerated() {
            if left.timestamp != right.start || left.count != right.count || abs(left.value - right.value) > 1e-9 {
                return "bucket \(index): (\(left.timestamp), \(left.value), \(left.count)) vs naive (\(right.start), \(right.value), \(right.count))"
            }
        }
        return nil
    }

    @Test func timeseriesAndSummariesEqualANaiveRecomputation() async throws {
        let run = try await Self.generate(seed: 20_240_124, commands: 5000)
        let naive = run.naive

        // The run is worth comparing: months of facts, every metric, reopens.
        let times = naive.facts.map(\.time)
        let first = try #require(times.min())
        let last = try #require(times.max())
        #expect(last - first > 60 * 86_400)
        for metric in ReportMetric.allCases {
            let count = naive.facts.filter { $0.metric == metric }.count
            #expect(count >= 30, "only \(count) \(metric) facts")
        }
        let reopens = run.events.filter { if case .statusChanged(let e) = $0.event.body { e.previousStatus == .resolved } else { false } }
        #expect(reopens.count >= 30)
        #expect(naive.facts.contains { $0.metric == .avgFirstResponseTime && $0.value == 0 })
        #expect(naive.facts.contains { $0.metric == .replyTime && $0.value > 86_400 })

        let ranges: [(since: UInt64, until: UInt64)] = [
            (first - 5_000, last + 30 * 3600),
            (first + 17 * 86_400 + 1_234, first + 45 * 86_400 + 777),
            (1_709_251_200, 1_711_929_600),  // March 2024, whole UTC days
        ]
        var bucketers: [String: NaiveBucketer] = [:]
        var compared = 0
        var nonEmpty = 0
        for account in run.accounts {
            for scope in Self.scopes(of: account, team: run.teams[account.id]) {
                for metric in ReportMetric.allCases {
                    for range in ranges {
                        for grouping in ReportGrouping.allCases {
                            for offset in [0, 5.5, -8] {
                                let key = "\(grouping)/\(offset)"
                                let bucketer = bucketers[key] ?? NaiveBucketer(grouping: grouping, offsetHours: offset)
                                bucketers[key] = bucketer
                                let projected = try run.analytics.timeseries(
                                    account: account.id, metric: metric, scope: scope, since: range.since, until: range.until,
                                    grouping: grouping, timezoneOffset: offset)
                                let expected = naive.timeseries(
                                    account: account.id, metric: metric, scope: scope, since: range.since, until: range.until,
                                    grouping: grouping, offsetHours: offset, bucketer: bucketer)
                                let difference = Self.firstDifference(projected, expected)
                                #expect(
                                    difference == nil,
                                    "account \(account.id) \(metric) \(Self.describe(scope)) \(grouping) offset \(offset) [\(range.since), \(range.until)): \(difference ?? "")"
                                )
                                compared += 1
                                if expected.contains(where: { $0.count > 0 }) { nonEmpty += 1 }
                            }
                        }
                    }
                }
            }
        }
        #expect(nonEmpty > compared / 2)

        // Summaries: current and the same length before, for a few ranges.
        let summaryRanges: [(since: UInt64, until: UInt64)] = [
            (first + 30 * 86_400, first + 44 * 86_400),
            (first + 50 * 86_400 + 333, first + 51 * 86_400),
            (first, last + 1),
        ]
        for account in run.accounts {
            for scope in Self.scopes(of: account, team: run.teams[account.id]) {
                for range in summaryRanges {
                    let summary = run.analytics.summary(account: account.id, scope: scope, since: range.since, until: range.until)
                    #expect(Set(summary.keys) == Set(ReportMetric.allCases))
                    for metric in ReportMetric.allCases {
                        let (current, previous) = naive.summary(
                            account: account.id, metric: metric, scope: scope, since: range.since, until: range.until)
                        let value = try #require(summary[metric])
                        #expect(
                            abs(value.current - current) <= 1e-9 && abs(value.previous - previous) <= 1e-9,
                            "summary account \(account.id) \(metric) \(Self.describe(scope)) [\(range.since), \(range.until)): (\(value.current), \(value.previous)) vs naive (\(current), \(previous))"
                        )
                    }
                }
            }
        }
    }
}
