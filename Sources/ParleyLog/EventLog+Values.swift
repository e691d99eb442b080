extension EventLog {
    /// Writes `values` into the owner's families (``LogOptions/extraFamilies``)
    /// in one synced batch, outside any append: for state that describes the
    /// log as of an offset it already holds, such as a checkpoint of views
    /// folded from it, which stays true whatever is appended afterwards.
    public func write(_ values: [StoredValue]) async throws {
        try await blocking { [database] () throws(LogError) in
            let batch = WriteBatch()
            for value in values {
                guard !Family.all.contains(value.family), let family = database.family(value.family) else {
                    throw .invalidArgument("unknown column family \(value.family)")
                }
                batch.put(family, key: value.key, value: value.value)
            }
            try Self.storage { () throws(RocksError) in try database.write(batch, sync: true) }
        }
    }
}
