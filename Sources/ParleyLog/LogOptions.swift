import CoreMetrics
import Foundation
import Logging

/// How a log is opened and run.
public struct LogOptions: Sendable {
    /// The largest encoded entry accepted, in bytes.
    public var maxEntryBytes: Int = 1 << 20
    /// How long an idempotency key keeps deduplicating.
    public var idempotencyRetention: Duration = .seconds(7 * 24 * 3600)
    /// How long ephemeral entries stay in the log.
    public var ephemeralRetention: Duration = .seconds(24 * 3600)
    /// How often the writer prunes expired ephemeral entries and idempotency keys.
    public var pruneInterval: Duration = .seconds(60)
    /// The most entries one group commit gathers; the rest wait for the next.
    public var maxGroupEntries: Int = 8192
    /// How long the writer polls for the next append before it sleeps,
    /// after a group of a single append.
    public var writerSpin: Duration = .microseconds(100)
    /// Live entries a tail buffers before it falls back to reading the log.
    public var tailBufferCapacity: Int = 4096
    /// Threads that run blocking reads.
    public var readThreads: Int = 4
    /// RocksDB's block cache.
    public var blockCacheBytes: Int = 128 << 20
    /// Column families the owner writes through the ``AppendHook`` (projection state).
    public var extraFamilies: [String] = []
    /// Computes extra writes for each append, committed in the same batch.
    public var hook: (any AppendHook)?
    /// Milliseconds since 1970; tests move it to exercise pruning.
    public var clock: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }
    public var metricsFactory: any MetricsFactory = MetricsSystem.factory
    public var logger = Logger(label: "parley.log")

    public init() {}
}
