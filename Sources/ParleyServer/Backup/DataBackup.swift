import Foundation
import ParleyLog

/// A backup of a data directory: a RocksDB checkpoint of the log (consistent
/// while appends continue), the server's secrets file, so access and realtime
/// tokens keep working after a restore, and a marker file that says what it is.
///
/// The backup is made in a hidden directory beside its destination and
/// renamed into place only when complete, so a failed or interrupted backup
/// never leaves something that looks like one.
public enum DataBackup {
    /// The marker that makes a directory a Parley backup.
    public static let markerFileName = "parley-backup.json"
    /// The layout this build writes and the newest it restores.
    public static let formatVersion = 1

    /// What the marker file holds.
    public struct Marker: Codable, Sendable, Hashable {
        public var format: Int
        /// The epoch of the log the backup was taken from (a restore gives it a new one).
        public var epoch: String
        /// Milliseconds since 1970.
        public var createdAt: UInt64

        enum CodingKeys: String, CodingKey {
            case format, epoch
            case createdAt = "created_at"
        }
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Backs up `log`, whose data directory is `dataDirectory`, into `destination`.
    ///
    /// - Throws: ``Failure`` when `destination` is relative, exists, or has no
    ///   parent directory; the log's own errors when the checkpoint fails.
    public static func write(log: EventLog, dataDirectory: String, to destination: String) async throws {
        guard destination.hasPrefix("/") else { throw Failure(description: "backup path \(destination) must be absolute") }
        try checkDestination(destination)
        let staging = FileTree.sibling(of: destination, purpose: "partial")
        do {
            try await log.checkpoint(to: staging)
            let secrets = dataDirectory + "/" + ServerSecrets.fileName
            if FileManager.default.fileExists(atPath: secrets) {
                try FileTree.copySynced(secrets, to: staging + "/" + ServerSecrets.fileName)
            }
            let marker = Marker(format: formatVersion, epoch: log.epoch, createdAt: UInt64(Date().timeIntervalSince1970 * 1000))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try FileTree.writeSynced(Array(try encoder.encode(marker)), to: staging + "/" + markerFileName)
            try FileTree.syncDirectory(staging)
            try checkDestination(destination)
            try FileTree.move(staging, to: destination)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Refuses a destination that exists or whose parent does not.
    public static func checkDestination(_ destination: String) throws(Failure) {
        var status = stat()
        guard lstat(destination, &status) != 0 else {
            throw Failure(description: "backup destination \(destination) already exists; give a new path")
        }
        let parent = (destination as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent.isEmpty ? "." : parent, isDirectory: &isDirectory),
            isDirectory.boolValue
        else { throw Failure(description: "the directory \(parent) for backup \(destination) does not exist") }
    }

    /// The marker of the backup in `directory`, or nil when it is not a backup.
    public static func marker(in directory: String) -> Marker? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + markerFileName) else { return nil }
        return try? JSONDecoder().decode(Marker.self, from: data)
    }
}
