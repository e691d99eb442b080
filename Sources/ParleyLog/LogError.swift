/// Everything the log can refuse or fail at, each with a stable ``code``.
public enum LogError: Error, Sendable, Hashable, CustomStringConvertible {
    // MARK: Opening
    /// The data path exists and is a file.
    case notADirectory(path: String)
    /// The data directory did not exist and could not be made.
    case cannotCreateDirectory(path: String, reason: String)
    /// The data directory exists but this process cannot write to it.
    case notWritable(path: String, reason: String)
    /// The directory holds files, but not a Parley log.
    case notALogDirectory(path: String)
    /// A reader was pointed at a directory that does not exist.
    case missingDirectory(path: String)
    /// Another process (or another open log in this one) holds the directory.
    case locked(path: String)
    /// RocksDB or Parley's own metadata found the data damaged.
    case corrupt(path: String, detail: String)
    /// The directory was written by a newer Parley.
    case unsupportedFormat(found: UInt32, supported: UInt32)

    // MARK: Appending
    case emptyBatch
    /// The entry at `index` has account id zero.
    case invalidAccount(index: Int)
    /// The entry at `index` has an empty type or one over 200 bytes.
    case invalidType(index: Int)
    case invalidStreamName(String)
    /// The entry at `index` names `stream` twice.
    case duplicateStream(index: Int, stream: String)
    /// The entry at `index` names more streams than an entry may belong to.
    case tooManyStreams(index: Int, count: Int, limit: Int)
    /// The entry at `index` has an empty idempotency key or one over 200 bytes.
    case invalidIdempotencyKey(index: Int)
    case entryTooLarge(index: Int, size: Int, limit: Int)
    /// An expected stream sequence did not match; nothing was written.
    case versionConflict(stream: String, expected: UInt64, current: UInt64)
    /// The append hook refused the entries; nothing was written.
    case rejectedByHook(String)

    // MARK: Anything
    case invalidArgument(String)
    /// RocksDB failed; the operation had no effect.
    case storage(String)
    /// The log was closed.
    case closed

    /// A short machine-readable name, stable across releases.
    public var code: String {
        switch self {
        case .notADirectory: "not_a_directory"
        case .cannotCreateDirectory: "cannot_create_directory"
        case .notWritable: "not_writable"
        case .notALogDirectory: "not_a_log_directory"
        case .missingDirectory: "missing_directory"
        case .locked: "locked"
        case .corrupt: "corrupt"
        case .unsupportedFormat: "unsupported_format"
        case .emptyBatch: "empty_batch"
        case .invalidAccount: "invalid_account"
        case .invalidType: "invalid_type"
        case .invalidStreamName: "invalid_stream_name"
        case .duplicateStream: "duplicate_stream"
        case .tooManyStreams: "too_many_streams"
        case .invalidIdempotencyKey: "invalid_idempotency_key"
        case .entryTooLarge: "entry_too_large"
        case .versionConflict: "version_conflict"
        case .rejectedByHook: "rejected_by_hook"
        case .invalidArgument: "invalid_argument"
        case .storage: "storage_error"
        case .closed: "closed"
        }
    }

    public var description: String {
        switch self {
        case .notADirectory(let path):
            "\(path) is a file, not a data directory"
        case .cannotCreateDirectory(let path, let reason):
            "cannot create data directory \(path): \(reason)"
        case .notWritable(let path, let reason):
            "data directory \(path) is not writable: \(reason)"
        case .notALogDirectory(let path):
            "\(path) is not empty and holds no Parley log; give an empty or new directory"
        case .missingDirectory(let path):
            "data directory \(path) does not exist"
        case .locked(let path):
            "data directory \(path) is in use by another process (or already open in this one)"
        case .corrupt(let path, let detail):
            "data directory \(path) is corrupt: \(detail)"
        case .unsupportedFormat(let found, let supported):
            "data directory has format version \(found); this build reads up to \(supported). Upgrade Parley"
        case .emptyBatch:
            "an append needs at least one entry"
        case .invalidAccount(let index):
            "entry \(index): account id must not be zero"
        case .invalidType(let index):
            "entry \(index): type must be 1 to 200 bytes"
        case .invalidStreamName(let name):
            "invalid stream name \"\(name)\": use 1 to \(StreamName.maxLength) of a-z A-Z 0-9 : _ - . @ #"
        case .duplicateStream(let index, let stream):
            "entry \(index) names stream \(stream) twice"
        case .tooManyStreams(let index, let count, let limit):
            "entry \(index) names \(count) streams; the limit is \(limit)"
        case .invalidIdempotencyKey(let index):
            "entry \(index): idempotency key must be 1 to 200 bytes"
        case .entryTooLarge(let index, let size, let limit):
            "entry \(index) is \(size) bytes; the limit is \(limit)"
        case .versionConflict(let stream, let expected, let current):
            "stream \(stream) is at \(current), not the expected \(expected)"
        case .rejectedByHook(let reason):
            "append refused: \(reason)"
        case .invalidArgument(let reason):
            reason
        case .storage(let reason):
            "storage error: \(reason)"
        case .closed:
            "the log is closed"
        }
    }
}
