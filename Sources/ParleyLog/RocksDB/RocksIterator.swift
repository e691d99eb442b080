import CRocksDB

/// An owned RocksDB iterator over one column family, bounded to `[lower, upper)`.
///
/// RocksDB keeps pointers to the bound bytes without copying them, so the
/// iterator owns copies for as long as it lives. Keys and values are copied out
/// because RocksDB's pointers die when the iterator moves.
final class RocksIterator {
    private let handle: OpaquePointer
    private let readOptions: OpaquePointer
    private let lowerBound: UnsafeMutableBufferPointer<CChar>?
    private let upperBound: UnsafeMutableBufferPointer<CChar>?
    /// Kept alive while the iterator reads through it.
    private let snapshot: RocksSnapshot?

    init(database: OpaquePointer, family: ColumnFamily, lower: [UInt8]?, upper: [UInt8]?, snapshot: RocksSnapshot?) {
        readOptions = rocksdb_readoptions_create()
        self.snapshot = snapshot
        if let snapshot { rocksdb_readoptions_set_snapshot(readOptions, snapshot.handle) }
        lowerBound = Self.copy(lower)
        upperBound = Self.copy(upper)
        if let lowerBound {
            rocksdb_readoptions_set_iterate_lower_bound(readOptions, lowerBound.baseAddress, lowerBound.count)
        }
        if let upperBound {
            rocksdb_readoptions_set_iterate_upper_bound(readOptions, upperBound.baseAddress, upperBound.count)
        }
        handle = rocksdb_create_iterator_cf(database, readOptions, family.handle)
    }

    deinit {
        rocksdb_iter_destroy(handle)
        rocksdb_readoptions_destroy(readOptions)
        lowerBound?.deallocate()
        upperBound?.deallocate()
    }

    private static func copy(_ bytes: [UInt8]?) -> UnsafeMutableBufferPointer<CChar>? {
        guard let bytes else { return nil }
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(bytes.count, 1))
        for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<bytes.count])
    }

    var isValid: Bool { rocksdb_iter_valid(handle) != 0 }

    func seekToFirst() { rocksdb_iter_seek_to_first(handle) }
    func seekToLast() { rocksdb_iter_seek_to_last(handle) }
    func next() { rocksdb_iter_next(handle) }
    func previous() { rocksdb_iter_prev(handle) }

    func seek(_ key: [UInt8]) {
        key.withUnsafeBufferPointer { k in
            k.withMemoryRebound(to: CChar.self) { rocksdb_iter_seek(handle, $0.baseAddress, $0.count) }
        }
    }

    /// The current key, valid only until the iterator moves.
    func withKey<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        var length = 0
        let pointer = rocksdb_iter_key(handle, &length)
        return try body(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    /// The current value, valid only until the iterator moves.
    func withValue<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        var length = 0
        let pointer = rocksdb_iter_value(handle, &length)
        return try body(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    var key: [UInt8] { withKey { Array($0) } }
    var value: [UInt8] { withValue { Array($0) } }

    /// Surfaces an error that ended iteration early (I/O or corruption).
    func checkError() throws(RocksError) {
        try withRocksError { rocksdb_iter_get_error(handle, $0) }
    }
}
