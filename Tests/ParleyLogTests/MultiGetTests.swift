import Testing

@testable import ParleyLog

/// `RocksDatabase.multiGet`: one batched lookup over keys in table files of
/// several flushes and in the memtable, in any order, with repeats and misses.
@Suite struct MultiGetTests {
    private static func key(_ n: UInt64) -> [UInt8] { Keys.offset(n) }
    private static func value(_ n: UInt64) -> [UInt8] { Array("value \(n)".utf8) }

    private static func put(_ keys: ClosedRange<UInt64>, into database: RocksDatabase) throws {
        let batch = WriteBatch()
        for n in keys { batch.put(database.family("t")!, key: key(n), value: value(n)) }
        try database.write(batch, sync: false)
    }

    @Test func answersEveryKeyInItsPlace() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("db")
            // Each close flushes the memtable: three table files, then a memtable.
            for first: UInt64 in [1, 101, 201] {
                let database = try RocksDatabase(path: path, familyNames: ["t"], blockCacheBytes: 1 << 20)
                try Self.put(first...(first + 99), into: database)
                database.close()
            }
            let database = try RocksDatabase(path: path, familyNames: ["t"], blockCacheBytes: 1 << 20)
            defer { database.close() }
            try Self.put(301...310, into: database)
            let family = database.family("t")!

            for keys: [UInt64] in [
                [1, 50, 100, 101, 150, 250, 300, 305],
                [305, 300, 250, 150, 101, 100, 50, 1],
                [150, 999, 1, 150, 305, 0, 250],
                [7],
            ] {
                let values = try database.multiGet(family, keys: keys.map(Self.key))
                let expected = keys.map { (1...310).contains($0) ? Self.value($0) : nil }
                #expect(values == expected, "keys \(keys)")
            }
            #expect(try database.multiGet(family, keys: []).isEmpty)
        }
    }
}
