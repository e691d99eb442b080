/// What a full consistency check of the log found.
public struct VerificationReport: Sendable, Hashable, Codable {
    /// Entries read from the log.
    public var entries = 0
    /// Streams in the index.
    public var streams = 0
    /// Values that do not decode, or whose stored offset differs from their key.
    public var undecodable = 0
    /// Offsets missing between 1 and the head, not counting pruned ephemeral entries.
    public var holes = 0
    /// Stream index entries that are missing, out of sequence, past the head or
    /// pointing at an entry that does not list them.
    public var indexMismatches = 0
    /// Entries whose timestamp is below the one before.
    public var clockRegressions = 0

    public var isConsistent: Bool {
        undecodable == 0 && holes == 0 && indexMismatches == 0 && clockRegressions == 0
    }
}

extension EventLog {
    /// Reads every entry and every stream index entry and checks that they agree:
    /// each value decodes, timestamps never decrease, and each stream runs from
    /// 1 to its head, pointing at entries that list it with that sequence, with
    /// no durable membership missing from the index.
    ///
    /// - Parameter allowPrunedGaps: Pruning leaves holes in the offsets that a
    ///   reader cannot tell from lost entries. With `false` (a log never pruned)
    ///   every hole between 1 and the head is counted; with `true` holes are not
    ///   checked at all.
    public func verify(allowPrunedGaps: Bool = true) async throws -> VerificationReport {
        let database = self.database
        let families = self.families
        let head = self.head
        let view = self.view
        return try await blocking { () throws(LogError) in
            let snapshot = view.snapshot
            var report = VerificationReport()
            /// Durable memberships listed by entries, to be matched by the index.
            var expected: [String: [UInt64: UInt64]] = [:]
            var previousOffset: UInt64 = 0
            var previousTimestamp: UInt64 = 0
            let log = database.iterator(families.log, snapshot: snapshot)
            log.seekToFirst()
            while log.isValid {
                let key = log.withKey { UInt64(bigEndianBytes: $0) }
                let entry = log.withValue { try? EntryCodec.decodeEntry($0) }
                log.next()
                guard let key, let entry, entry.offset == key else {
                    report.undecodable += 1
                    continue
                }
                report.entries += 1
                if key <= previousOffset {
                    report.undecodable += 1
                    continue
                }
                if key > previousOffset + 1 && !allowPrunedGaps { report.holes += Int(key - previousOffset - 1) }
                if entry.timestamp < previousTimestamp { report.clockRegressions += 1 }
                previousOffset = key
                previousTimestamp = entry.timestamp
                for position in entry.streams {
                    guard let seq = position.seq else { continue }
                    expected[position.stream, default: [:]][seq] = key
                }
            }
            try Self.storage { () throws(RocksError) in try log.checkError() }
            if head > previousOffset && !allowPrunedGaps { report.holes += Int(head - previousOffset) }

            let index = database.iterator(families.streams, snapshot: snapshot)
            index.seekToFirst()
            var current: (stream: String, seq: UInt64)?
            while index.isValid {
                let key = index.key
                let offset = UInt64(bigEndianBytes: index.value)
                index.next()
                guard let separator = key.firstIndex(of: 0), key.count == separator + 9,
                    let seq = UInt64(bigEndianBytes: key[(separator + 1)...])
                else {
                    report.indexMismatches += 1
                    continue
                }
                let stream = String(decoding: key[..<separator], as: UTF8.self)
                if current?.stream != stream {
                    report.streams += 1
                    current = (stream, 0)
                }
                if seq != current!.seq + 1 { report.indexMismatches += 1 }
                current!.seq = seq
                if let offset, expected[stream]?.removeValue(forKey: seq) == offset {
                    continue
                }
                report.indexMismatches += 1
            }
            try Self.storage { () throws(RocksError) in try index.checkError() }
            report.indexMismatches += expected.values.reduce(0) { $0 + $1.count }
            return report
        }
    }
}
