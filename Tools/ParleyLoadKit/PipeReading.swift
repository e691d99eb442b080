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
