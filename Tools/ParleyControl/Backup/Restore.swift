import Foundation
import ParleyLog
import ParleyServer

/// `parleyctl restore`: puts a backup into an empty or new data directory
/// and gives the restored log a new epoch, so clients holding offsets from
/// before are told to resync instead of being handed other events at them.
///
/// Everything happens in a hidden directory beside the target, renamed into
/// place at the end: a failed restore leaves the target as it was.
public enum Restore {
    public struct Summary: Encodable, Sendable {
        public var data: String
        public var from: String
        /// The restored log's new epoch.
        public var epoch: String
        /// The epoch of the log the backup was taken from.
        public var previousEpoch: String
        public var head: UInt64
        public var bytes: UInt64

        public var text: String {
            "restored \(from) into \(data): head \(head), new epoch \(epoch) (was \(previousEpoch)), \(LogSummary.size(bytes))"
        }
    }

    public static func run(from backup: String, data: String) async throws -> Summary {
        let target = DataDirectoryCheck.absolute(data)
        let source = DataDirectoryCheck.absolute(backup)
        try checkBackup(source)
        let (previousEpoch, head) = try await DataDirectoryCheck.existingLog(at: source)
        try checkTarget(target)
        let staging = FileTree.sibling(of: target, purpose: "restoring")
        let epoch: String
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
            for name in try FileManager.default.contentsOfDirectory(atPath: source) where name != DataBackup.markerFileName {
                try FileTree.copySynced(source + "/" + name, to: staging + "/" + name)
            }
            epoch = try await EventLog.renewEpoch(at: staging)
            try FileTree.syncDirectory(staging)
            try checkTarget(target)
            try FileTree.move(staging, to: target)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        return Summary(
            data: target, from: source, epoch: epoch, previousEpoch: previousEpoch, head: head,
            bytes: FileTree.size(of: target))
    }

    /// A backup is a directory with a marker of a format this build restores.
    private static func checkBackup(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ControlError("backup \(path) does not exist")
        }
        guard isDirectory.boolValue, let marker = DataBackup.marker(in: path) else {
            throw ControlError("\(path) is not a Parley backup (no \(DataBackup.markerFileName)); give a directory `parleyctl backup` wrote")
        }
        guard marker.format <= DataBackup.formatVersion else {
            throw ControlError(
                "backup \(path) has format \(marker.format); this build restores up to \(DataBackup.formatVersion). Upgrade Parley")
        }
    }

    /// The target must be missing (with its parent there) or an empty directory.
    private static func checkTarget(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ControlError("\(path) is a file; restore needs an empty or new directory") }
            let contents = try FileManager.default.contentsOfDirectory(atPath: path)
            guard contents.isEmpty else {
                throw ControlError("\(path) is not empty; restore needs an empty or new directory and never overwrites data")
            }
            return
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ControlError("the directory \(parent) for \(path) does not exist")
        }
    }
}
