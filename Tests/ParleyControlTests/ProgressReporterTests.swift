import Testing

@testable import ParleyControl

@Suite("Progress line")
struct ProgressReporterTests {
    @Test("shows done, total, percent, rate and time left")
    func knownTotal() {
        let line = ProgressReporter.line(label: "rebuild", done: 250_000, total: 1_000_000, elapsed: .seconds(2))
        #expect(line == "rebuild  250000/1000000   25%  125000/s  ETA 0:06")
    }

    @Test("without a total shows only done and rate")
    func unknownTotal() {
        let line = ProgressReporter.line(label: "export", done: 3000, total: nil, elapsed: .milliseconds(1500))
        #expect(line == "export  3000  2000/s")
    }

    @Test("at the start has no rate and no ETA")
    func atStart() {
        #expect(ProgressReporter.line(label: "replay", done: 0, total: 10, elapsed: .zero) == "replay  0/10    0%  0/s")
    }
}
