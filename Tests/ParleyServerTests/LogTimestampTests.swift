import Foundation
import Testing

@testable import ParleyServer

/// A log line's time reads as Foundation's ISO 8601 style writes it.
@Suite struct LogTimestampTests {
    @Test(arguments: [
        (0, 0), (951_782_400, 5), (1_709_164_799, 999), (1_798_761_599, 120), (1_795_321_207, 754), (4_102_444_800, 1),
    ])
    func matchesFoundationsFormat(seconds: Int, milliseconds: Int) {
        let date = Date(timeIntervalSince1970: Double(seconds) + Double(milliseconds) / 1000 + 0.0001)
        let foundation = date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        #expect(LogTimestamp.format(seconds: seconds, milliseconds: milliseconds) == foundation)
    }

    @Test func nowIsTheCurrentTime() throws {
        let before = Date()
        let text = LogTimestamp.now()
        let parsed = try Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        #expect(abs(parsed.timeIntervalSince(before)) < 60)
        #expect(text.count == 24)
    }
}
