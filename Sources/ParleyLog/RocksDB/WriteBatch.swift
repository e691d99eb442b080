import CRocksDB

/// An owned `rocksdb_writebatch_t`: a set of puts and deletes applied atomically.
final class WriteBatch {
    let handle: OpaquePointer

    init() {
        handle = rocksdb_writebatch_create()
    }

    deinit {
        rocksdb_writebatch_destroy(handle)
    }

    var count: Int { Int(rocksdb_writebatch_count(handle)) }

    /// Empties the batch (and its save points), keeping its buffer for the next use.
    func clear() {
        rocksdb_writebatch_clear(handle)
    }

    func put(_ family: ColumnFamily, key: [UInt8], value: [UInt8]) {
        key.withUnsafeBufferPointer { k in
            value.withUnsafeBufferPointer { v in
                k.withMemoryRebound(to: CChar.self) { k in
                    v.withMemoryRebound(to: CChar.self) { v in
                        rocksdb_writebatch_put_cf(handle, family.handle, k.baseAddress, k.count, v.baseAddress, v.count)
                    }
                }
            }
        }
    }

    func delete(_ family: ColumnFamily, key: [UInt8]) {
        key.withUnsafeBufferPointer { k in
            k.withMemoryRebound(to: CChar.self) { k in
                rocksdb_writebatch_delete_cf(handle, family.handle, k.baseAddress, k.count)
            }
        }
    }

    /// Marks a point that ``rollbackToSavePoint()`` returns to.
    func setSavePoint() {
        rocksdb_writebatch_set_save_point(handle)
    }

    /// Drops everything added since the last ``setSavePoint()``.
    func rollbackToSavePoint() throws(RocksError) {
        try withRocksError { rocksdb_writebatch_rollback_to_save_point(handle, $0) }
    }

    /// Forgets the last save point, keeping what was added since.
    func popSavePoint() throws(RocksError) {
        try withRocksError { rocksdb_writebatch_pop_save_point(handle, $0) }
    }
}
