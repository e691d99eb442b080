import Foundation
import ParleyDomain

/// The ledger's state and projections as of one offset, written at a clean
/// close so a restart folds only what came after.
///
/// A checkpoint of another version, or one ahead of the log (a directory put
/// back from an older copy), is ignored: the ledger then folds the whole log.
struct LedgerCheckpoint: Codable {
    static let family = "ledger"
    static let key = Array("checkpoint".utf8)
    static let currentVersion = 4

    var version = Self.currentVersion
    /// The last offset folded into the state and the projections.
    var offset: UInt64
    var state: DomainState
    var projections: Projections

    func encoded() throws -> [UInt8] {
        Array(try JSONEncoder().encode(self))
    }

    static func decode(_ bytes: [UInt8]) -> LedgerCheckpoint? {
        // Read where it lies: Foundation's decoder took most of an open's time.
        guard let checkpoint = try? EventJSONReader.decode(LedgerCheckpoint.self, from: bytes),
            checkpoint.version == currentVersion
        else { return nil }
        return checkpoint
    }
}
