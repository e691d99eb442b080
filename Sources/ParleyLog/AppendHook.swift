/// Adds writes of its own to each append, in the same atomic, fsynced batch as
/// the entries, so state derived from the log (projections and their
/// checkpoints) can never disagree with it.
///
/// The writer calls the hook on its own thread, one append at a time, in log
/// order. Reads through the context see what earlier appends of the same group
/// staged only if the hook keeps them itself (an overlay); the hook learns the
/// group's fate from ``groupFinished(committed:)``.
public protocol AppendHook: AnyObject, Sendable {
    /// Stages writes for `entries`, newly appended with their assigned positions.
    ///
    /// Throwing refuses the whole append: none of its entries nor its staged
    /// writes are kept, and its caller gets ``LogError/rejectedByHook(_:)``.
    /// A hook that throws must leave its own state as it was before the call.
    func stage(_ entries: [LogEntry], into context: inout AppendContext) throws

    /// Called once per group after its batch was written (`true`) or failed (`false`).
    func groupFinished(committed: Bool)
}

/// Writes staged by an ``AppendHook``, and reads of the state they change.
public struct AppendContext {
    struct Write {
        var family: ColumnFamily
        var key: [UInt8]
        var value: [UInt8]?
    }

    let database: RocksDatabase
    private(set) var writes: [Write] = []

    init(database: RocksDatabase) {
        self.database = database
    }

    /// Puts `value` at `key` in one of ``LogOptions/extraFamilies``.
    public mutating func put(family: String, key: [UInt8], value: [UInt8]) throws(LogError) {
        writes.append(Write(family: try extraFamily(family), key: key, value: value))
    }

    /// Deletes `key` from one of ``LogOptions/extraFamilies``.
    public mutating func delete(family: String, key: [UInt8]) throws(LogError) {
        writes.append(Write(family: try extraFamily(family), key: key, value: nil))
    }

    /// Reads committed state (not what this group staged).
    public func value(family: String, key: [UInt8]) throws(LogError) -> [UInt8]? {
        let family = try extraFamily(family)
        do {
            return try database.get(family, key: key)
        } catch {
            throw .storage(error.message)
        }
    }

    private func extraFamily(_ name: String) throws(LogError) -> ColumnFamily {
        guard !Family.all.contains(name), let family = database.family(name) else {
            throw .invalidArgument("unknown column family \(name)")
        }
        return family
    }
}
