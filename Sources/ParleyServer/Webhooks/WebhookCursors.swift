import ParleyLog

/// Where each webhook's cursor lives: the `webhooks` column family of the
/// log's RocksDB, `cursor/` and the webhook id (8 bytes, big-endian) → the
/// offset (8 bytes, big-endian) up to which every event was delivered.
///
/// A family of its own rather than the ledger's: cursors move with
/// deliveries, not with appends, so they are written by the dispatcher in
/// their own synced batches (``EventLog/write(_:)``), and they must survive
/// a crash (the ledger's family is written only at a clean close). A cursor
/// that lags after a crash only repeats deliveries, with the same ids.
enum WebhookCursors {
    static let family = "webhooks"

    static func key(_ webhookID: UInt64) -> [UInt8] {
        Array("cursor/".utf8) + bigEndian(webhookID)
    }

    static func stored(_ webhookID: UInt64, at cursor: UInt64) -> StoredValue {
        StoredValue(family: family, key: key(webhookID), value: bigEndian(cursor))
    }

    /// The stored cursor of a webhook, nil when it has none yet.
    static func load(_ webhookID: UInt64, from log: EventLog) async throws -> UInt64? {
        guard let bytes = try await log.value(family: family, key: key(webhookID)), bytes.count == 8 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }
}
