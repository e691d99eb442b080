/// Turning stored bytes back into entries for the read paths.
extension EventLog {
    /// Decodes entries of the `log` family as the iterator moves.
    static func collect(
        _ iterator: RocksIterator, limit: Int, path: String, move: (RocksIterator) -> Void
    ) throws(LogError) -> [LogEntry] {
        var entries: [LogEntry] = []
        entries.reserveCapacity(min(limit, 1024))
        while iterator.isValid && entries.count < limit {
            let offset = iterator.withKey { UInt64(bigEndianBytes: $0) }
            let entry = try iterator.withValue { value in
                Result { () throws(LogError) in try decode(value, offset: offset, path: path) }
            }.get()
            entries.append(entry)
            move(iterator)
        }
        try storage { () throws(RocksError) in try iterator.checkError() }
        return entries
    }

    /// Follows stream index entries to the log entries they point at.
    static func resolve(
        _ iterator: RocksIterator, limit: Int, database: RocksDatabase, families: LogFamilies,
        snapshot: RocksSnapshot?, move: (RocksIterator) -> Void
    ) throws(LogError) -> [LogEntry] {
        var keys: [[UInt8]] = []
        keys.reserveCapacity(min(limit, 1024))
        while iterator.isValid && keys.count < limit {
            keys.append(iterator.value)
            move(iterator)
        }
        try storage { () throws(RocksError) in try iterator.checkError() }
        let values = try storage { () throws(RocksError) in try database.multiGet(families.log, keys: keys, snapshot: snapshot) }
        var entries: [LogEntry] = []
        entries.reserveCapacity(keys.count)
        for (key, value) in zip(keys, values) {
            let offset = UInt64(bigEndianBytes: key)
            guard let value else {
                throw .corrupt(path: database.path, detail: "stream index points at missing offset \(offset ?? 0)")
            }
            let entry = try value.withUnsafeBytes { raw in
                Result { () throws(LogError) in try decode(raw, offset: offset, path: database.path) }
            }.get()
            entries.append(entry)
        }
        return entries
    }

    static func decode(_ value: UnsafeRawBufferPointer, offset: UInt64?, path: String) throws(LogError) -> LogEntry {
        guard let entry = try? EntryCodec.decodeEntry(value), entry.offset == offset else {
            throw .corrupt(path: path, detail: "unreadable entry at offset \(offset.map(String.init) ?? "?")")
        }
        return entry
    }
}
