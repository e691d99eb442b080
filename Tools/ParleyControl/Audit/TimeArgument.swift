import Foundation

/// A point in time given on the command line: an ISO-8601 time
/// (`2025-03-01T12:00:00Z`, with fractional seconds or a UTC offset), a
/// date (`2025-03-01`, midnight UTC), or milliseconds since 1970.
public enum TimeArgument {
    /// Milliseconds since 1970, or a one-line error naming `option`.
    public static func milliseconds(_ text: String, option: String) throws -> UInt64 {
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let value = UInt64(text) else { throw ControlError("\(option) \(text): too large") }
            return value
        }
        let formats: [ISO8601DateFormatter.Options] = [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ]
        for options in formats {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) {
                guard date.timeIntervalSince1970 >= 0 else { throw ControlError("\(option) \(text): before 1970") }
                return UInt64((date.timeIntervalSince1970 * 1000).rounded())
            }
        }
        throw ControlError(
            "\(option) \(text): not a time; give ISO-8601 (2025-03-01T12:00:00Z), a date (2025-03-01) or milliseconds since 1970")
    }
}
