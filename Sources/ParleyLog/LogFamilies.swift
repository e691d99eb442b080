/// The log's own column families, resolved once at open.
struct LogFamilies: @unchecked Sendable {
    let log: ColumnFamily
    let streams: ColumnFamily
    let idempotency: ColumnFamily
    let idempotencyExpiry: ColumnFamily
    let ephemeral: ColumnFamily
    let meta: ColumnFamily

    init(_ database: RocksDatabase) {
        log = database.family(Family.log)!
        streams = database.family(Family.streams)!
        idempotency = database.family(Family.idempotency)!
        idempotencyExpiry = database.family(Family.idempotencyExpiry)!
        ephemeral = database.family(Family.ephemeral)!
        meta = database.family(Family.meta)!
    }
}
