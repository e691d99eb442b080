import Foundation

/// An inbox's opening hours in its time zone, and the closed periods between them.
public struct WorkingSchedule: Sendable {
    /// Hours by weekday (0 = Sunday); a day without an entry is closed.
    let days: [Int: WorkingHours]
    let calendar: Calendar

    /// The key of a closed period that never ends (no day opens).
    public static let neverReopens = UInt64.max

    /// Nil when `timezone` is not an IANA time zone.
    public init?(hours: [WorkingHours], timezone: String) {
        guard let zone = TimeZone(identifier: timezone) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.calendar = calendar
        days = Dictionary(hours.map { ($0.dayOfWeek, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Nil while the inbox is open at `time` (ms since 1970); otherwise the
    /// key of the closed period holding it: the time the inbox reopens (ms),
    /// or ``neverReopens``. Two times in the same closed period have the same key.
    public func closedPeriod(at time: UInt64) -> UInt64? {
        let date = Date(timeIntervalSince1970: Double(time) / 1000)
        let today = calendar.startOfDay(for: date)
        for offset in 0...7 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today) else { continue }
            let weekday = calendar.component(.weekday, from: day) - 1
            guard let hours = days[weekday], !hours.closedAllDay else { continue }
            guard let opens = calendar.date(byAdding: .minute, value: hours.openMinute, to: day),
                let closes = calendar.date(byAdding: .minute, value: hours.closeMinute, to: day)
            else { continue }
            if offset == 0, opens <= date, date < closes { return nil }
            if opens > date { return UInt64(opens.timeIntervalSince1970 * 1000) }
        }
        return Self.neverReopens
    }
}
