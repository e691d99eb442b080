import NIOCore

/// Runs a task's jobs on one NIO event loop.
///
/// A webhook worker runs on the event loop its HTTP connections use, so an
/// answer that completes a delivery resumes the worker on the same thread:
/// no wakeup of a pool thread, no hand-over per POST.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
