import Testing

@testable import ParleyLog

/// The binary entry format: encoding round-trips, its size matches the size
/// the append check computes, and any truncated or extended value is refused.
@Suite struct CodecTests {
    static let samples: [LogEntry] = [
        LogEntry(
            offset: 1, timestamp: 1_700_000_000_123, type: "message.created", accountID: 42,
            streams: [StreamPosition(stream: "conversation:1:2", seq: 7), StreamPosition(stream: "user:9", seq: 1)],
            retention: .durable, idempotencyKey: "client-msg-1", payload: Array("{\"text\":\"hi\"}".utf8)),
        LogEntry(
            offset: .max, timestamp: 0, type: "typing", accountID: .max,
            streams: [StreamPosition(stream: "conversation:1:2", seq: nil)],
            retention: .ephemeral, idempotencyKey: nil, payload: []),
        LogEntry(
            offset: 300, timestamp: 5, type: "t", accountID: 1, streams: [], retention: .durable,
            idempotencyKey: "", payload: (0...255).map(UInt8.init)),
    ]

    @Test(arguments: samples)
    func roundTrip(_ entry: LogEntry) throws {
        let bytes = EntryCodec.encode(entry)
        #expect(try EntryCodec.decodeEntry(bytes) == entry)
        let new = NewEntry(
            type: entry.type, accountID: entry.accountID, streams: entry.streams.map(\.stream),
            retention: entry.retention, idempotencyKey: entry.idempotencyKey, payload: entry.payload)
        #expect(EntryCodec.encodedSize(of: new) == bytes.count)
    }

    @Test(arguments: samples)
    func everyTruncationFails(_ entry: LogEntry) {
        let bytes = EntryCodec.encode(entry)
        for length in 0..<bytes.count {
            #expect(throws: DecodeError.self) { try EntryCodec.decodeEntry(Array(bytes.prefix(length))) }
        }
    }

    @Test(arguments: samples)
    func trailingBytesFail(_ entry: LogEntry) {
        let bytes = EntryCodec.encode(entry)
        #expect(throws: DecodeError.self) { try EntryCodec.decodeEntry(bytes + [0]) }
        #expect(throws: DecodeError.self) { try EntryCodec.decodeEntry(bytes + [1, 2, 3]) }
    }

    @Test func unknownFormatOrRetentionFails() throws {
        var bytes = EntryCodec.encode(Self.samples[0])
        bytes[0] = 2
        #expect(throws: DecodeError.self) { try EntryCodec.decodeEntry(bytes) }
        bytes = EntryCodec.encode(Self.samples[0])
        bytes[25] = 9  // the retention byte, after format, offset, timestamp and account
        #expect(throws: DecodeError.self) { try EntryCodec.decodeEntry(bytes) }
    }

    @Test func idempotencyRecordRoundTrips() throws {
        let appended = AppendedEntry(
            offset: 12, timestamp: 99,
            streams: [StreamPosition(stream: "a", seq: 3), StreamPosition(stream: "b", seq: nil)], deduplicated: false)
        let record = IdempotencyRecord(entry: appended, position: 1, count: 3)
        let bytes = EntryCodec.encode(record)
        let decoded = try EntryCodec.decodeRecord(bytes)
        var expected = appended
        expected.deduplicated = true
        #expect(decoded.entry == expected)
        #expect(decoded.position == 1 && decoded.count == 3)
        #expect(decoded.appendOffsets == 11...13)
        #expect(throws: DecodeError.self) { try EntryCodec.decodeRecord(Array(bytes.dropLast())) }
        #expect(throws: DecodeError.self) { try EntryCodec.decodeRecord(bytes + [0]) }
        // A position outside its append is a damaged record.
        #expect(throws: DecodeError.self) {
            try EntryCodec.decodeRecord(EntryCodec.encode(IdempotencyRecord(entry: appended, position: 3, count: 3)))
        }
    }
}
