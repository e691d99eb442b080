import ParleyLog

/// Reads a data directory's entries after an offset as they arrive, by
/// catching the reader up with the primary and polling: a secondary
/// instance gets no notification of new writes.
public struct LogFollower {
    public var reader: LogReader
    /// How long to wait after finding nothing new.
    public var interval: Duration = .milliseconds(200)

    public init(reader: LogReader) {
        self.reader = reader
    }

    /// Hands `body` each new page after `offset` until `signals` asks to stop.
    public func follow(after offset: UInt64, until signals: StopSignals, _ body: ([LogEntry]) throws -> Void) async throws {
        var after = offset
        while !signals.stopRequested {
            let page = try await reader.read(after: after, limit: 1000)
            if let last = page.last {
                try body(page)
                after = last.offset
                continue
            }
            await signals.pause(interval)
            guard !signals.stopRequested else { return }
            try await reader.catchUp()
        }
    }
}
