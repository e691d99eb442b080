import Foundation

/// A file written under a temporary name beside its destination and renamed
/// into place only once it is complete and on disk, so a command that fails
/// half-way leaves nothing behind and never a half-written file under the
/// name asked for.
public final class AtomicOutputFile {
    public let destination: String
    let temporary: String
    private var descriptor: Int32
    private var committed = false

    /// Creates the temporary file (mode 0600: exports name people and what they did).
    public init(destination: String) throws {
        let url = URL(fileURLWithPath: destination)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ControlError("cannot write \(destination): \(directory) is not a directory")
        }
        // Renaming over a device or a link would replace it (as root,
        // `/dev/null` itself): only a regular file, or nothing, is replaced.
        var status = stat()
        if lstat(destination, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            throw ControlError("cannot write \(destination): it exists and is not a regular file")
        }
        self.destination = destination
        temporary = "\(directory)/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ControlError("cannot create \(temporary): \(Self.reason())") }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !committed { unlink(temporary) }
    }

    /// Writes all of `bytes`, retrying short writes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 {
                if errno == EINTR { continue }
                throw ControlError("cannot write \(temporary): \(Self.reason())")
            }
            done += count
        }
    }

    /// Flushes the file to disk and renames it to its destination, replacing
    /// any file there; then flushes the directory so the rename survives a crash.
    public func commit() throws {
        guard fsync(descriptor) == 0 else { throw ControlError("cannot flush \(temporary): \(Self.reason())") }
        close(descriptor)
        descriptor = -1
        guard rename(temporary, destination) == 0 else {
            throw ControlError("cannot rename \(temporary) to \(destination): \(Self.reason())")
        }
        committed = true
        let directory = open(URL(fileURLWithPath: destination).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    static func reason() -> String {
        String(cString: strerror(errno))
    }
}
