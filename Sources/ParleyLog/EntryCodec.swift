/// The binary form of a stored entry (value of the `log` family) and of an
/// idempotency record.
///
/// Entry, format 1, integers big-endian:
/// `u8 1 | u64 offset | u64 timestamp | u64 account | u8 retention |
///  u16 len, type | u16 len+1 (0 = none), idempotency key |
///  u16 count, { u8 len, stream name | u64 seq (0 = none) } |
///  u32 len, payload`.
/// The offset is repeated inside the value so a reader can tell a misplaced
/// or torn value from a good one; decoding must consume every byte.
enum EntryCodec {
    static let entryFormat: UInt8 = 1

    /// Fixed bytes of an entry besides its strings and payload.
    static let fixedOverhead = 1 + 8 + 8 + 8 + 1 + 2 + 2 + 2 + 4

    static func encodedSize(of entry: NewEntry) -> Int {
        fixedOverhead + entry.type.utf8.count + (entry.idempotencyKey?.utf8.count ?? 0)
            + entry.streams.reduce(0) { $0 + 1 + $1.utf8.count + 8 } + entry.payload.count
    }

    static func encode(_ entry: LogEntry) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(fixedOverhead + entry.type.utf8.count + entry.payload.count + entry.streams.count * 48)
        bytes.append(entryFormat)
        bytes.appendBigEndian(entry.offset)
        bytes.appendBigEndian(entry.timestamp)
        bytes.appendBigEndian(entry.accountID)
        bytes.append(entry.retention.rawValue)
        bytes.appendBigEndian(UInt16(entry.type.utf8.count))
        bytes.append(contentsOf: entry.type.utf8)
        if let key = entry.idempotencyKey {
            bytes.appendBigEndian(UInt16(key.utf8.count + 1))
            bytes.append(contentsOf: key.utf8)
        } else {
            bytes.appendBigEndian(UInt16(0))
        }
        appendStreams(entry.streams, to: &bytes)
        bytes.appendBigEndian(UInt32(entry.payload.count))
        bytes.append(contentsOf: entry.payload)
        return bytes
    }

    static func decodeEntry(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> LogEntry {
        var reader = ByteReader(bytes)
        guard try reader.u8() == entryFormat else { throw DecodeError() }
        let offset = try reader.u64()
        let timestamp = try reader.u64()
        let account = try reader.u64()
        guard let retention = Retention(rawValue: try reader.u8()) else { throw DecodeError() }
        let type = try reader.string(length: Int(try reader.u16()))
        let keyLength = Int(try reader.u16())
        let key = keyLength == 0 ? nil : try reader.string(length: keyLength - 1)
        let streams = try readStreams(&reader)
        let payload = try reader.bytes(length: Int(try reader.u32()))
        guard reader.isAtEnd else { throw DecodeError() }
        return LogEntry(
            offset: offset, timestamp: timestamp, type: type, accountID: account,
            streams: streams, retention: retention, idempotencyKey: key, payload: payload)
    }

    static func decodeEntry(_ bytes: [UInt8]) throws(DecodeError) -> LogEntry {
        try bytes.withUnsafeBytes { raw in Result { () throws(DecodeError) in try decodeEntry(raw) } }.get()
    }

    /// Idempotency record: `u64 offset | u64 timestamp | u16 position | u16 count |
    /// streams as in an entry`, where position and count place the entry among
    /// those its append wrote.
    static func encode(_ record: IdempotencyRecord) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.appendBigEndian(record.entry.offset)
        bytes.appendBigEndian(record.entry.timestamp)
        bytes.appendBigEndian(UInt16(record.position))
        bytes.appendBigEndian(UInt16(record.count))
        appendStreams(record.entry.streams, to: &bytes)
        return bytes
    }

    static func decodeRecord(_ bytes: [UInt8]) throws(DecodeError) -> IdempotencyRecord {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(DecodeError) -> IdempotencyRecord in
                var reader = ByteReader(raw)
                let offset = try reader.u64()
                let timestamp = try reader.u64()
                let position = Int(try reader.u16())
                let count = Int(try reader.u16())
                let streams = try readStreams(&reader)
                guard reader.isAtEnd, position < count, UInt64(position) < offset else { throw DecodeError() }
                return IdempotencyRecord(
                    entry: AppendedEntry(offset: offset, timestamp: timestamp, streams: streams, deduplicated: true),
                    position: position, count: count)
            }
        }.get()
    }

    private static func appendStreams(_ streams: [StreamPosition], to bytes: inout [UInt8]) {
        bytes.appendBigEndian(UInt16(streams.count))
        for position in streams {
            bytes.append(UInt8(position.stream.utf8.count))
            bytes.append(contentsOf: position.stream.utf8)
            bytes.appendBigEndian(position.seq ?? 0)
        }
    }

    private static func readStreams(_ reader: inout ByteReader) throws(DecodeError) -> [StreamPosition] {
        let count = Int(try reader.u16())
        var streams = [StreamPosition]()
        streams.reserveCapacity(count)
        for _ in 0..<count {
            let name = try reader.string(length: Int(try reader.u8()))
            let seq = try reader.u64()
            streams.append(StreamPosition(stream: name, seq: seq == 0 ? nil : seq))
        }
        return streams
    }
}

/// Stored bytes that do not decode: a torn or foreign value.
struct DecodeError: Error {}

/// A bounds-checked cursor over bytes.
struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index == bytes.count }

    private mutating func take(_ count: Int) throws(DecodeError) -> UnsafeRawBufferPointer {
        guard count >= 0, bytes.count - index >= count else { throw DecodeError() }
        defer { index += count }
        return UnsafeRawBufferPointer(rebasing: bytes[index..<index + count])
    }

    mutating func u8() throws(DecodeError) -> UInt8 {
        try take(1)[0]
    }

    mutating func u16() throws(DecodeError) -> UInt16 {
        let raw = try take(2)
        return UInt16(raw[0]) << 8 | UInt16(raw[1])
    }

    mutating func u32() throws(DecodeError) -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64() throws(DecodeError) -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func string(length: Int) throws(DecodeError) -> String {
        let raw = try take(length)
        return String(decoding: raw, as: UTF8.self)
    }

    mutating func bytes(length: Int) throws(DecodeError) -> [UInt8] {
        Array(try take(length))
    }
}
