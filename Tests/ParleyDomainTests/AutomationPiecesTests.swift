import Foundation
import Testing

@testable import ParleyDomain

/// The pure pieces of the automation: the FAQ keyword score, working hours
/// and their closed periods, @mentions and round-robin order.
@Suite struct AutomationPiecesTests {
    // MARK: Keyword score

    @Test func scoreIsTheShareOfKeywordsFound() {
        #expect(KeywordScore.score(message: "How do I get a REFUND for my orders?", keywords: ["refund", "order"]) == 1)
        #expect(KeywordScore.score(message: "I want a refund", keywords: ["refund", "order"]) == 0.5)
        #expect(KeywordScore.score(message: "hello", keywords: ["refund", "order"]) == 0)
        #expect(KeywordScore.score(message: "anything", keywords: []) == 0)
    }

    @Test func phrasesNeedEveryWordAndWordsMatchWhole() {
        #expect(KeywordScore.score(message: "where is my parcel", keywords: ["where is"]) == 1)
        #expect(KeywordScore.score(message: "where was it", keywords: ["where is"]) == 0)
        // A keyword is a word, not a substring: "order" is not in "border".
        #expect(KeywordScore.score(message: "at the border", keywords: ["order"]) == 0)
        // Plural s ignored both ways, double s kept.
        #expect(KeywordScore.score(message: "refunds", keywords: ["refund"]) == 1)
        #expect(KeywordScore.score(message: "refund", keywords: ["refunds"]) == 1)
        #expect(KeywordScore.score(message: "address", keywords: ["addres"]) == 0)
    }

    @Test func threeKeywordsNeedAllThreeAtTheDefaultConfidence() {
        let keywords = ["refund", "order", "late"]
        #expect(KeywordScore.score(message: "refund my late order", keywords: keywords) >= 0.7)
        #expect(KeywordScore.score(message: "refund my order", keywords: keywords) < 0.7)
    }

    // MARK: Working hours

    /// Milliseconds of a wall-clock time in `zone`.
    static func time(_ text: String, in zone: String) throws -> UInt64 {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let date = try #require(formatter.date(from: text))
        return UInt64(date.timeIntervalSince1970 * 1000)
    }

    /// Monday to Friday 09:00–17:00; weekends closed.
    static let weekdays = (1...5).map { WorkingHours(dayOfWeek: $0, closedAllDay: false, openMinute: 540, closeMinute: 1020) }
        + [0, 6].map { WorkingHours(dayOfWeek: $0, closedAllDay: true, openMinute: 0, closeMinute: 0) }

    @Test func openDuringHoursInTheInboxTimeZone() throws {
        let berlin = try #require(WorkingSchedule(hours: Self.weekdays, timezone: "Europe/Berlin"))
        // Wednesday 2026-03-11, 10:00 in Berlin is 09:00 UTC.
        #expect(berlin.closedPeriod(at: try Self.time("2026-03-11 10:00", in: "Europe/Berlin")) == nil)
        #expect(berlin.closedPeriod(at: try Self.time("2026-03-11 09:00", in: "Europe/Berlin")) == nil)
        // 17:00 is closing time; the closed period ends at Thursday's opening.
        let thursday = try Self.time("2026-03-12 09:00", in: "Europe/Berlin")
        #expect(berlin.closedPeriod(at: try Self.time("2026-03-11 17:00", in: "Europe/Berlin")) == thursday)
        // The same instant read in Tokyo (18:00 there) is outside Tokyo's hours.
        let tokyo = try #require(WorkingSchedule(hours: Self.weekdays, timezone: "Asia/Tokyo"))
        #expect(tokyo.closedPeriod(at: try Self.time("2026-03-11 10:00", in: "Europe/Berlin")) != nil)
    }

    @Test func oneClosedPeriodSpansTheWeekendAndEndsMondayMorning() throws {
        let schedule = try #require(WorkingSchedule(hours: Self.weekdays, timezone: "America/New_York"))
        let monday = try Self.time("2026-03-16 09:00", in: "America/New_York")
        let friday = try #require(schedule.closedPeriod(at: try Self.time("2026-03-13 18:30", in: "America/New_York")))
        let saturday = try #require(schedule.closedPeriod(at: try Self.time("2026-03-14 12:00", in: "America/New_York")))
        let early = try #require(schedule.closedPeriod(at: try Self.time("2026-03-16 08:59", in: "America/New_York")))
        #expect(friday == monday && saturday == monday && early == monday)
        // Monday evening is the next period.
        let next = try #require(schedule.closedPeriod(at: try Self.time("2026-03-16 17:30", in: "America/New_York")))
        #expect(next == (try Self.time("2026-03-17 09:00", in: "America/New_York")))
    }

    @Test func aScheduleThatNeverOpensIsOneEndlessPeriod() throws {
        let closed = try #require(WorkingSchedule(hours: [], timezone: "UTC"))
        #expect(closed.closedPeriod(at: 1_700_000_000_000) == WorkingSchedule.neverReopens)
        #expect(WorkingSchedule(hours: [], timezone: "Mars/Olympus") == nil)
    }

    @Test func allDayHoursAndDaylightSavingTime() throws {
        let always = (0...6).map { WorkingHours(dayOfWeek: $0, closedAllDay: false, openMinute: 0, closeMinute: 1440) }
        let schedule = try #require(WorkingSchedule(hours: always, timezone: "Europe/Berlin"))
        // The night the clocks go forward (2026-03-29) is still open.
        #expect(schedule.closedPeriod(at: try Self.time("2026-03-29 03:30", in: "Europe/Berlin")) == nil)
        #expect(schedule.closedPeriod(at: try Self.time("2026-03-28 23:59", in: "Europe/Berlin")) == nil)
    }

    // MARK: Mentions and round-robin

    @Test func mentionsNameMembersByFullNameOrLink() {
        let members: [UInt64: String] = [1: "Dana Scully", 2: "Fox", 3: "Foxy"]
        #expect(Mentions.users(in: "@dana scully please look", members: members) == [1])
        #expect(Mentions.users(in: "ask @Foxy, not @Fox.", members: members) == [2, 3])
        #expect(Mentions.users(in: "@Foxes are not Fox", members: members) == [])
        #expect(Mentions.users(in: "[@Dana](mention://user/1/Dana) and mention://user/9/x", members: members) == [1])
        #expect(Mentions.users(in: "email fox@example.com", members: members) == [])
    }

    @Test func roundRobinTakesTheNextIdAfterTheLastAndWraps() {
        #expect(RoundRobin.next(eligible: [5, 3, 9], after: nil) == 3)
        #expect(RoundRobin.next(eligible: [5, 3, 9], after: 3) == 5)
        #expect(RoundRobin.next(eligible: [5, 3, 9], after: 9) == 3)
        #expect(RoundRobin.next(eligible: [5, 3, 9], after: 4) == 5)
        #expect(RoundRobin.next(eligible: [], after: 4) == nil)
    }
}
