import CRocksDB
import Foundation

/// An open RocksDB database and its column families.
///
/// Owns every C handle it creates and releases them in ``close()`` (or
/// `deinit`). Every method blocks the calling thread: call them from the log's
/// writer thread or its read pool, never from Swift's cooperative pool.
final class RocksDatabase: @unchecked Sendable {
    private(set) var handle: OpaquePointer?
    private let options: OpaquePointer
    private let tableOptions: OpaquePointer
    private let cache: OpaquePointer
    private let readOptions: OpaquePointer
    private let syncWrite: OpaquePointer
    private let bufferedWrite: OpaquePointer
    private var families: [String: ColumnFamily] = [:]
    private let isPrimary: Bool
    let path: String

    /// How a process opens the database.
    enum Access {
        /// The one process that writes; creates what is missing.
        case primary
        /// A read-only follower of a primary that may be running in another
        /// process; RocksDB keeps the follower's own files in `scratch`.
        case secondary(scratch: String)
    }

    /// Opens (or creates) the database at `path` with at least `familyNames`;
    /// families that already exist on disk are opened too, as RocksDB requires.
    init(path: String, familyNames: [String], blockCacheBytes: Int, access: Access = .primary) throws(RocksError) {
        self.path = path
        if case .primary = access { isPrimary = true } else { isPrimary = false }
        options = rocksdb_options_create()
        rocksdb_options_set_compression(options, Int32(rocksdb_lz4_compression))
        rocksdb_options_increase_parallelism(options, 2)
        tableOptions = rocksdb_block_based_options_create()
        cache = rocksdb_cache_create_lru(blockCacheBytes)
        rocksdb_block_based_options_set_block_cache(tableOptions, cache)
        rocksdb_block_based_options_set_filter_policy(tableOptions, rocksdb_filterpolicy_create_bloom(10))
        rocksdb_options_set_block_based_table_factory(options, tableOptions)
        readOptions = rocksdb_readoptions_create()
        syncWrite = rocksdb_writeoptions_create()
        rocksdb_writeoptions_set_sync(syncWrite, 1)
        bufferedWrite = rocksdb_writeoptions_create()

        var names = ["default"]
        let existing = Self.existingFamilies(path: path, options: options)
        switch access {
        case .primary:
            rocksdb_options_set_create_if_missing(options, 1)
            rocksdb_options_set_create_missing_column_families(options, 1)
            // A family written rarely (checkpoints, cursors) otherwise pins every
            // WAL file since its last write, and an open replays them all.
            rocksdb_options_set_max_total_wal_size(options, Self.maxTotalWALBytes)
            for name in existing + familyNames where !names.contains(name) { names.append(name) }
        case .secondary:
            // A secondary must keep every table file open to follow the primary.
            rocksdb_options_set_max_open_files(options, -1)
            for name in existing where !names.contains(name) { names.append(name) }
        }
        var handles = [OpaquePointer?](repeating: nil, count: names.count)
        let cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let cOptions = [OpaquePointer?](repeating: options, count: names.count)
        // On failure every property is already set, so `deinit` releases the options.
        handle = try withRocksError { error in
            cNames.map { UnsafePointer($0) }.withUnsafeBufferPointer { namePointers in
                switch access {
                case .primary:
                    rocksdb_open_column_families(
                        options, path, Int32(names.count), namePointers.baseAddress, cOptions, &handles, error)
                case .secondary(let scratch):
                    rocksdb_open_as_secondary_column_families(
                        options, path, scratch, Int32(names.count), namePointers.baseAddress, cOptions, &handles,
                        error)
                }
            }
        }
        for (name, family) in zip(names, handles) {
            families[name] = ColumnFamily(name: name, handle: family!)
        }
    }

    /// A secondary's catch-up: reads what the primary wrote since the last one.
    func catchUpWithPrimary() throws(RocksError) {
        try withRocksError { rocksdb_try_catch_up_with_primary(handle, $0) }
    }

    deinit {
        close()
        releaseOptions()
    }

    private func releaseOptions() {
        rocksdb_writeoptions_destroy(syncWrite)
        rocksdb_writeoptions_destroy(bufferedWrite)
        rocksdb_readoptions_destroy(readOptions)
        rocksdb_options_destroy(options)
        rocksdb_block_based_options_destroy(tableOptions)
        rocksdb_cache_destroy(cache)
    }

    private static func existingFamilies(path: String, options: OpaquePointer) -> [String] {
        var count = 0
        var error: UnsafeMutablePointer<CChar>? = nil
        let list = rocksdb_list_column_families(options, path, &count, &error)
        if let error { rocksdb_free(error) }
        guard let list else { return [] }
        defer { rocksdb_list_column_families_destroy(list, count) }
        return (0..<count).compactMap { list[$0].map { String(cString: $0) } }
    }

    /// WAL kept before RocksDB flushes the families that pin its oldest file.
    static let maxTotalWALBytes: UInt64 = 256 << 20

    /// Closes the database, first writing what is only in memory (and the
    /// WAL) to table files, so the next open has nothing to replay. Callers
    /// guarantee no other thread is using it.
    func close() {
        guard let db = handle else { return }
        if isPrimary { flushMemtables(db) }
        for family in families.values { rocksdb_column_family_handle_destroy(family.handle) }
        families = [:]
        rocksdb_close(db)
        handle = nil
    }

    /// Best effort: what a flush fails to write stays in the WAL, replayed at the next open.
    private func flushMemtables(_ db: OpaquePointer) {
        let flush = rocksdb_flushoptions_create()
        defer { rocksdb_flushoptions_destroy(flush) }
        rocksdb_flushoptions_set_wait(flush, 1)
        for family in families.values {
            var error: UnsafeMutablePointer<CChar>? = nil
            rocksdb_flush_cf(db, flush, family.handle, &error)
            if let error { rocksdb_free(error) }
        }
    }

    func family(_ name: String) -> ColumnFamily? { families[name] }

    /// Every column family the database was opened with.
    var familyNames: [String] { Array(families.keys) }

    /// A consistent view of everything written so far.
    func snapshot() -> RocksSnapshot {
        RocksSnapshot(database: self)
    }

    func release(_ snapshot: OpaquePointer) {
        guard let handle else { return }
        rocksdb_release_snapshot(handle, snapshot)
    }

    /// Fsyncs the WAL: every write that returned before this call is durable when it returns.
    func syncWAL() throws(RocksError) {
        try withRocksError { rocksdb_flush_wal(handle, 1, $0) }
    }

    /// Applies `batch` atomically; with `sync`, returns only after the WAL is fsynced.
    func write(_ batch: WriteBatch, sync: Bool) throws(RocksError) {
        try withRocksError { rocksdb_write(handle, sync ? syncWrite : bufferedWrite, batch.handle, $0) }
    }

    /// Applies `batch` with explicit write options (used to exercise failures).
    func write(_ batch: WriteBatch, options writeOptions: OpaquePointer) throws(RocksError) {
        try withRocksError { rocksdb_write(handle, writeOptions, batch.handle, $0) }
    }

    func get(_ family: ColumnFamily, key: [UInt8], snapshot: RocksSnapshot? = nil) throws(RocksError) -> [UInt8]? {
        let readOptions = snapshot?.readOptions ?? self.readOptions
        var length = 0
        let value = try withRocksError { error in
            key.withUnsafeBufferPointer { k in
                k.withMemoryRebound(to: CChar.self) { k in
                    rocksdb_get_cf(handle, readOptions, family.handle, k.baseAddress, k.count, &length, error)
                }
            }
        }
        guard let value else { return nil }
        defer { rocksdb_free(value) }
        return Array(UnsafeRawBufferPointer(start: value, count: length))
    }

    /// Looks up many keys of one family in one batched call; `nil` where a
    /// key is absent. RocksDB takes the keys in order and reads each table
    /// block once for all the keys in it, where one lookup per key would
    /// search the index and the block again every time.
    func multiGet(_ family: ColumnFamily, keys: [[UInt8]], snapshot: RocksSnapshot? = nil) throws(RocksError) -> [[UInt8]?] {
        let readOptions = snapshot?.readOptions ?? self.readOptions
        let count = keys.count
        guard count > 0 else { return [] }
        // Key order is byte order (every family keeps RocksDB's default
        // comparator). A backward read's keys go in reversed, so RocksDB
        // need not sort them.
        let sorted = zip(keys, keys.dropFirst()).allSatisfy { !$1.lexicographicallyPrecedes($0) }
        if !sorted && zip(keys, keys.dropFirst()).allSatisfy({ !$0.lexicographicallyPrecedes($1) }) {
            return try multiGet(family, keys: keys.reversed(), snapshot: snapshot).reversed()
        }
        // One buffer holds every key, so their pointers stay put through the call.
        let joined = keys.flatMap { $0 }
        let keyLengths = keys.map(\.count)
        var values = [OpaquePointer?](repeating: nil, count: count)
        var errors = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        joined.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { bytes in
                var start = 0
                let keyPointers = keyLengths.map { length -> UnsafePointer<CChar>? in
                    defer { start += length }
                    return bytes.baseAddress.map { $0 + start }
                }
                rocksdb_batched_multi_get_cf(
                    handle, readOptions, family.handle, count, keyPointers, keyLengths, &values, &errors, sorted)
            }
        }
        var firstError: String?
        var result = [[UInt8]?]()
        result.reserveCapacity(count)
        for index in 0..<count {
            if let error = errors[index] {
                if firstError == nil { firstError = String(cString: error) }
                rocksdb_free(error)
            }
            if let value = values[index] {
                var length = 0
                let bytes = rocksdb_pinnableslice_value(value, &length)
                result.append(Array(UnsafeRawBufferPointer(start: bytes, count: length)))
                rocksdb_pinnableslice_destroy(value)
            } else {
                result.append(nil)
            }
        }
        if let firstError { throw RocksError(message: firstError) }
        return result
    }

    func iterator(
        _ family: ColumnFamily, lower: [UInt8]? = nil, upper: [UInt8]? = nil, snapshot: RocksSnapshot? = nil
    ) -> RocksIterator {
        RocksIterator(database: handle!, family: family, lower: lower, upper: upper, snapshot: snapshot)
    }

    /// Writes a consistent, openable copy of the database into `directory`
    /// (hard links where possible), while writes continue.
    func checkpoint(to directory: String) throws(RocksError) {
        let checkpoint = try withRocksError { rocksdb_checkpoint_object_create(handle, $0) }
        defer { rocksdb_checkpoint_object_destroy(checkpoint) }
        try withRocksError { rocksdb_checkpoint_create(checkpoint, directory, 0, $0) }
    }
}
