import Synchronization

/// What readers may see: a snapshot taken just before the latest fsync that
/// succeeded, so every read returns only durable data.
///
/// The writer commits groups without waiting for the disk, so RocksDB itself
/// would show a group before its fsync; readers go through this view instead.
final class DurableView: Sendable {
    private let current: Mutex<RocksSnapshot?>

    init(_ snapshot: RocksSnapshot) {
        current = Mutex(snapshot)
    }

    var snapshot: RocksSnapshot? { current.withLock { $0 } }

    /// Installs a newer view; `nil` lets go of the last one so the database can close.
    func replace(with snapshot: RocksSnapshot?) {
        let previous = current.withLock { state in
            let previous = state
            state = snapshot
            return previous
        }
        // Releasing a snapshot takes RocksDB's own lock: do it outside ours.
        withExtendedLifetime(previous) {}
    }
}
