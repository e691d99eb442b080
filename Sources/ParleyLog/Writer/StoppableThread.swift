import Foundation

/// A dedicated thread, the condition its owner's queue is guarded by, and the
/// stop protocol the writer and the syncer share: `stop()` lets the loop drain
/// what is queued, and answers once the loop has exited.
final class StoppableThread: @unchecked Sendable {
    let condition = NSCondition()
    /// Whether a stop was asked for; read and written with `condition` held.
    var stopping = false
    private var running = true
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []

    /// Starts `loop` on a new thread that names itself `name` (at most 15
    /// bytes, the kernel's limit), so `top` and `perf` tell it apart.
    func start(name: String, _ loop: @escaping @Sendable () -> Void) {
        let thread = Thread {
            Self.nameCurrentThread(name)
            loop()
        }
        thread.start()
    }

    /// Foundation's `Thread.name` does not reach the kernel on Linux, and
    /// `pthread_setname_np` is not imported: the thread writes its own `comm`.
    private static func nameCurrentThread(_ name: String) {
        let file = open("/proc/thread-self/comm", O_WRONLY)
        guard file >= 0 else { return }
        _ = name.withCString { write(file, $0, strlen($0)) }
        close(file)
    }

    /// Asks the loop to stop after what is queued, and waits until it has.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            defer { condition.unlock() }
            stopping = true
            guard running else { return continuation.resume() }
            stopWaiters.append(continuation)
            condition.signal()
        }
    }

    /// Asks the loop to stop without waiting for it.
    func requestStop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// The loop's last step, called with `condition` held: unlocks and answers every `stop()`.
    func exitLocked() {
        running = false
        let waiters = stopWaiters
        stopWaiters = []
        condition.unlock()
        waiters.forEach { $0.resume() }
    }
}
