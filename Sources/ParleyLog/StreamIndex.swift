/// Reads of the `streams` family (name ‖ 0x00 ‖ seq → offset).
///
/// A stream's head is not stored: it is the sequence of the last index key
/// under the stream's prefix. Storing heads would rewrite a few hot keys on
/// every append, which measured as the largest single cost of a group commit.
enum StreamIndex {
    /// The last sequence of `stream`, 0 when it has none.
    ///
    /// Most streams the writer meets uncached are new, so a point lookup of
    /// sequence 1 (answered by the Bloom filter) comes first: creating an
    /// iterator costs several times more.
    static func head(
        of stream: String, database: RocksDatabase, families: LogFamilies, snapshot: RocksSnapshot? = nil
    ) throws(RocksError) -> UInt64 {
        guard try database.get(families.streams, key: Keys.streamEntry(stream, seq: 1), snapshot: snapshot) != nil else {
            return 0
        }
        let prefix = Keys.streamPrefix(stream)
        let iterator = database.iterator(
            families.streams, lower: prefix, upper: Keys.successor(of: prefix), snapshot: snapshot)
        iterator.seekToLast()
        let head = iterator.isValid ? iterator.withKey { sequence(in: $0) } : 0
        try iterator.checkError()
        return head
    }

    /// Streams whose name starts with `prefix`, in name order, after `after` when given.
    ///
    /// Skips from stream to stream by seeking past `name ‖ 0x00`: names never
    /// hold bytes below `#`, so `name ‖ 0x01` sorts after all of a stream's keys
    /// and before every other stream's.
    static func list(
        prefix: String, after: String?, limit: Int, database: RocksDatabase, families: LogFamilies,
        snapshot: RocksSnapshot?
    ) throws(RocksError) -> [StreamHead] {
        let lower = Array(prefix.utf8)
        let iterator = database.iterator(
            families.streams, lower: lower, upper: Keys.successor(of: lower), snapshot: snapshot)
        if let after {
            iterator.seek(Array(after.utf8) + [1])
        } else {
            iterator.seekToFirst()
        }
        var heads: [StreamHead] = []
        while iterator.isValid && heads.count < limit {
            let name = iterator.withKey { key in
                String(decoding: key.prefix { $0 != 0 }, as: UTF8.self)
            }
            let end = Array(name.utf8) + [1]
            iterator.seek(end)
            if iterator.isValid { iterator.previous() } else { iterator.seekToLast() }
            heads.append(StreamHead(stream: name, seq: iterator.withKey { sequence(in: $0) }))
            iterator.seek(end)
        }
        try iterator.checkError()
        return heads
    }

    /// The sequence at the end of an index key.
    static func sequence(in key: UnsafeRawBufferPointer) -> UInt64 {
        key.count >= 8 ? UInt64(bigEndianBytes: key.suffix(8)) ?? 0 : 0
    }
}
