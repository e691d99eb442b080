import CRocksDB

/// An error string reported by RocksDB through its `char** errptr` convention.
struct RocksError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }

    /// Whether RocksDB failed on I/O (its `Status::IOError`, written "IO error: …"):
    /// a write that failed so may have reached the WAL on disk.
    var isIOError: Bool { message.hasPrefix("IO error") }
}

/// Runs a RocksDB C call that reports failure through `errptr`, frees the C
/// string RocksDB allocated, and turns it into a thrown ``RocksError``.
@inline(__always)
func withRocksError<T>(
    _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T
) throws(RocksError) -> T {
    var error: UnsafeMutablePointer<CChar>? = nil
    let result = body(&error)
    if let error {
        let message = String(cString: error)
        rocksdb_free(error)
        throw RocksError(message: message)
    }
    return result
}

/// RocksDB's `PerfLevel::kDisable`. Perf counting is per thread and on by
/// default; the log's threads turn it off, as nothing reads the counters.
let rocksPerfLevelDisabled: Int32 = 1
