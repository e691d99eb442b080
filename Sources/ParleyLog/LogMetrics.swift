import CoreMetrics

/// The log's instruments, created once per open log.
struct LogMetrics: Sendable {
    /// Entries appended (not counting deduplicated retries).
    let appendedEntries: Counter
    /// Entries made durable by one fsync.
    let groupSize: Recorder
    /// Time of one WAL fsync.
    let fsyncDuration: Timer
    /// Bytes of the write batches committed.
    let bytesWritten: Counter
    /// Group writes and fsyncs that failed.
    let writeErrors: Counter

    init(factory: any MetricsFactory) {
        appendedEntries = Counter(label: "parley_log_appended_entries_total", factory: factory)
        groupSize = Recorder(label: "parley_log_group_entries", factory: factory)
        fsyncDuration = Timer(label: "parley_log_fsync_seconds", factory: factory)
        bytesWritten = Counter(label: "parley_log_bytes_written_total", factory: factory)
        writeErrors = Counter(label: "parley_log_write_errors_total", factory: factory)
    }
}
