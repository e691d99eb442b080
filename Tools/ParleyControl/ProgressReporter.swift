import Foundation

/// Shows a long command's progress on a terminal — done, total, rate and
/// time left — redrawn in place on stderr at most ten times a second.
/// Silent when stderr is not a terminal, so scripts and logs see only results.
public final class ProgressReporter {
    private let label: String
    private let total: UInt64?
    private let enabled: Bool
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var done: UInt64 = 0

    /// - Parameters:
    ///   - total: What `done` counts up to, when known.
    ///   - enabled: Draw at all; by default only when stderr is a terminal.
    public init(label: String, total: UInt64?, enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    /// Records that `done` units are finished, redrawing if it is time.
    public func advance(to done: UInt64) {
        self.done = done
        guard enabled else { return }
        let now = ContinuousClock.now
        if let lastDraw, now - lastDraw < .milliseconds(100) { return }
        lastDraw = now
        draw(now)
    }

    /// Draws the final state and ends the line.
    public func finish() {
        guard enabled else { return }
        draw(.now)
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw(_ now: ContinuousClock.Instant) {
        let line = Self.line(label: label, done: done, total: total, elapsed: now - start)
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }

    /// One progress line: `label  done/total  pct%  rate/s  ETA m:ss`.
    static func line(label: String, done: UInt64, total: UInt64?, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(done) / seconds : 0
        var parts = [label]
        if let total, total > 0 {
            parts.append("\(done)/\(total)")
            parts.append(String(format: "%3.0f%%", Double(min(done, total)) * 100 / Double(total)))
        } else {
            parts.append("\(done)")
        }
        parts.append("\(Int(rate.rounded()))/s")
        if let total, rate > 0, total > done {
            let left = Int((Double(total - done) / rate).rounded(.up))
            parts.append(String(format: "ETA %d:%02d", left / 60, left % 60))
        }
        return parts.joined(separator: "  ")
    }
}
