/// The log's reads, shared by the writer's own ``EventLog`` (through its
/// durable snapshot) and a secondary ``LogReader`` (no snapshot). Each call
/// blocks: run it on a read thread.
struct LogReads {
    let database: RocksDatabase
    let families: LogFamilies
    let snapshot: RocksSnapshot?

    static func checkLimit(_ limit: Int) throws(LogError) {
        guard limit > 0 else { throw .invalidArgument("limit must be positive") }
    }

    static func checkStream(_ stream: String) throws(LogError) {
        guard StreamName.isValid(stream) else { throw .invalidStreamName(stream) }
    }

    static func checkOwnerFamily(_ family: String) throws(LogError) {
        guard !Family.all.contains(family) else { throw .invalidArgument("\(family) is the log's own family") }
    }

    func after(_ offset: UInt64, limit: Int) throws(LogError) -> [LogEntry] {
        let iterator = database.iterator(families.log, lower: Keys.offset(offset + 1), snapshot: snapshot)
        iterator.seekToFirst()
        return try EventLog.collect(iterator, limit: limit, path: database.path) { $0.next() }
    }

    func before(_ offset: UInt64?, limit: Int) throws(LogError) -> [LogEntry] {
        let iterator = database.iterator(families.log, upper: offset.map(Keys.offset), snapshot: snapshot)
        iterator.seekToLast()
        return try EventLog.collect(iterator, limit: limit, path: database.path) { $0.previous() }
    }

    func stream(_ stream: String, after seq: UInt64, limit: Int) throws(LogError) -> [LogEntry] {
        let prefix = Keys.streamPrefix(stream)
        let iterator = database.iterator(
            families.streams, lower: Keys.streamEntry(stream, seq: seq + 1), upper: Keys.successor(of: prefix),
            snapshot: snapshot)
        iterator.seekToFirst()
        return try EventLog.resolve(iterator, limit: limit, database: database, families: families, snapshot: snapshot) {
            $0.next()
        }
    }

    func stream(_ stream: String, before seq: UInt64?, limit: Int) throws(LogError) -> [LogEntry] {
        let prefix = Keys.streamPrefix(stream)
        let upper = seq.map { Keys.streamEntry(stream, seq: $0) } ?? Keys.successor(of: prefix)
        let iterator = database.iterator(families.streams, lower: prefix, upper: upper, snapshot: snapshot)
        iterator.seekToLast()
        return try EventLog.resolve(iterator, limit: limit, database: database, families: families, snapshot: snapshot) {
            $0.previous()
        }
    }

    func head(of stream: String) throws(LogError) -> UInt64 {
        try EventLog.storage { () throws(RocksError) in
            try StreamIndex.head(of: stream, database: database, families: families, snapshot: snapshot)
        }
    }

    func streams(prefix: String, after: String?, limit: Int) throws(LogError) -> [StreamHead] {
        try EventLog.storage { () throws(RocksError) in
            try StreamIndex.list(
                prefix: prefix, after: after, limit: limit, database: database, families: families, snapshot: snapshot)
        }
    }

    func value(family: String, key: [UInt8]) throws(LogError) -> [UInt8]? {
        guard let handle = database.family(family) else { throw .invalidArgument("unknown column family \(family)") }
        return try EventLog.storage { () throws(RocksError) in try database.get(handle, key: key, snapshot: snapshot) }
    }
}
