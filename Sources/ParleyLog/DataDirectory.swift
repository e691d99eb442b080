import Foundation

/// Checks a data directory before RocksDB touches it, so each way of being
/// unusable gets an error that names the cause.
enum DataDirectory {
    /// Prepares `path` for opening: creates it if missing, checks it can be
    /// written, and refuses a directory that holds anything but RocksDB's files.
    static func prepare(_ path: String) throws(LogError) {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .notADirectory(path: path) }
        } else {
            do {
                try files.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw .cannotCreateDirectory(path: path, reason: reason(error))
            }
        }
        try probeWritable(path)
        if files.fileExists(atPath: path + "/CURRENT") { return }
        let contents = (try? files.contentsOfDirectory(atPath: path)) ?? []
        guard contents.allSatisfy(isRocksDBFile) else { throw .notALogDirectory(path: path) }
    }

    /// Refuses a path that is missing, a file, or a directory RocksDB never
    /// wrote: for what opens an existing log only (a reader, a restore).
    static func requireExisting(_ path: String) throws(LogError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missingDirectory(path: path)
        }
        guard isDirectory.boolValue else { throw .notADirectory(path: path) }
        guard FileManager.default.fileExists(atPath: path + "/CURRENT") else { throw .notALogDirectory(path: path) }
    }

    /// Permission bits say nothing to root, so try to create a file.
    private static func probeWritable(_ path: String) throws(LogError) {
        let probe = path + "/.parley-write-probe"
        let descriptor = open(probe, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw .notWritable(path: path, reason: String(cString: strerror(errno)))
        }
        close(descriptor)
        unlink(probe)
    }

    /// Files RocksDB may leave behind when creating a database was interrupted.
    private static func isRocksDBFile(_ name: String) -> Bool {
        name == "LOCK" || name == "IDENTITY" || name.hasPrefix("LOG") || name.hasPrefix("OPTIONS")
            || name.hasPrefix("MANIFEST") || name.hasSuffix(".log") || name.hasSuffix(".sst")
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? CocoaError, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return error.localizedDescription
    }
}
