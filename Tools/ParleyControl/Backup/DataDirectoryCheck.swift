import Foundation
import ParleyLog

/// Checks that a path holds a Parley log before anything opens it as a
/// primary, which would create a missing directory or a log in an empty one.
enum DataDirectoryCheck {
    /// The directory's epoch and head, read through a secondary instance;
    /// throws the ``LogError`` that names what is wrong (missing, not a log, newer format).
    static func existingLog(at path: String) async throws -> (epoch: String, head: UInt64) {
        let reader = try await LogReader.open(at: path)
        let found = (reader.epoch, reader.head)
        await reader.close()
        return found
    }

    /// `path` made absolute against the working directory, as a server with another one needs it.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
