import CRocksDB

/// A column family handle. The handle is owned and destroyed by its ``RocksDatabase``.
struct ColumnFamily: @unchecked Sendable {
    let name: String
    let handle: OpaquePointer
}
