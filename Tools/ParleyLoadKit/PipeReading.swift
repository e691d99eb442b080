import Foundation

/// Reads from a child's pipe on a thread of its own.
///
/// A read blocks until the child writes or exits; on Swift's cooperative
/// pool (one thread per core) a few such reads would starve every other task,
/// including the ones that would make the child finish.
public enum PipeReading {
    /// Everything until the writer closes its end.
    public static func readToEnd(_ handle: FileHandle) async -> Data {
        await onThread { (try? handle.readToEnd()) ?? Data() }
    }

    /// What is there, waiting for at least one byte (empty at end of file).
    public static func available(_ handle: FileHandle) async -> Data {
        await onThread { handle.availableData }
    }

    private static func onThread(_ read: @escaping @Sendable () -> Data) async -> Data {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: read()) }.start()
        }
    }
}

extension Pipe {
    /// A pipe whose ends no child inherits except through the standard
    /// descriptors it is given: a server started meanwhile by another test
    /// would otherwise hold a copy of this pipe's write end, and a reader
    /// would wait for an end of file that comes only when that server exits.
    public static func privateToChild() -> Pipe {
        let pipe = Pipe()
        _ = fcntl(pipe.fileHandleForReading.fileDescriptor, F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipe.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
        return pipe
    }
}
