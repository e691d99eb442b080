import CRocksDB

/// A RocksDB snapshot: a consistent view of the database as of one moment,
/// with the read options that read through it. Released when the last reader
/// lets go.
final class RocksSnapshot: @unchecked Sendable {
    private let database: RocksDatabase
    let handle: OpaquePointer
    let readOptions: OpaquePointer

    init(database: RocksDatabase) {
        self.database = database
        handle = rocksdb_create_snapshot(database.handle)
        readOptions = rocksdb_readoptions_create()
        rocksdb_readoptions_set_snapshot(readOptions, handle)
    }

    deinit {
        database.release(handle)
        rocksdb_readoptions_destroy(readOptions)
    }
}
