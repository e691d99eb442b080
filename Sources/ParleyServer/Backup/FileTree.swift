import Foundation

/// File operations a backup and a restore need to be durable: data written
/// and fsynced before the rename that publishes it, the rename fsynced in
/// its parent directory.
public enum FileTree {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// A hidden, unused path in the directory of `path` (`.name.purpose-random`),
    /// so that renaming it to `path` stays on one file system.
    public static func sibling(of path: String, purpose: String) -> String {
        let url = URL(fileURLWithPath: path)
        let parent = url.deletingLastPathComponent().path
        return "\(parent)/.\(url.lastPathComponent).\(purpose)-\(UInt64.random(in: 0...UInt64.max))"
    }

    /// Writes `bytes` to a new file at `path` (mode 0600) and fsyncs it.
    public static func writeSynced(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(Failure) {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw failure("cannot create", path) }
        defer { close(descriptor) }
        try writeAll(bytes[...], to: descriptor, path: path)
        guard fsync(descriptor) == 0 else { throw failure("cannot fsync", path) }
    }

    /// Copies the regular file `source` to a new file `destination` with the
    /// same mode, a megabyte at a time, and fsyncs it.
    public static func copySynced(_ source: String, to destination: String) throws(Failure) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("cannot read", source) }
        defer { close(input) }
        var status = stat()
        guard fstat(input, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw Failure(description: "\(source) is not a regular file")
        }
        let output = open(destination, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, status.st_mode & 0o777)
        guard output >= 0 else { throw failure("cannot create", destination) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            guard count >= 0 else { throw failure("cannot read", source) }
            if count == 0 { break }
            try writeAll(buffer[..<count], to: output, path: destination)
        }
        guard fsync(output) == 0 else { throw failure("cannot fsync", destination) }
    }

    private static func writeAll(_ bytes: ArraySlice<UInt8>, to descriptor: Int32, path: String) throws(Failure) {
        var written = bytes.startIndex
        while written < bytes.endIndex {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw failure("cannot write", path) }
            written += count
        }
    }

    /// Fsyncs a directory, making the names created or renamed in it durable.
    public static func syncDirectory(_ path: String) throws(Failure) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open", path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot fsync", path) }
    }

    /// Renames `source` to `destination` (a missing path or an empty directory)
    /// and fsyncs the parent so the rename survives a crash.
    public static func move(_ source: String, to destination: String) throws(Failure) {
        guard rename(source, destination) == 0 else { throw failure("cannot rename \(source) to", destination) }
        try syncDirectory(URL(fileURLWithPath: destination).deletingLastPathComponent().path)
    }

    /// The bytes of every regular file under `path` (a hard-linked file counts each time).
    public static func size(of path: String) -> UInt64 {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: UInt64 = 0
        while let name = walker.nextObject() as? String {
            var status = stat()
            if lstat(path + "/" + name, &status) == 0, status.st_mode & S_IFMT == S_IFREG { total += UInt64(status.st_size) }
        }
        return total
    }

    private static func failure(_ what: String, _ path: String) -> Failure {
        Failure(description: "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
