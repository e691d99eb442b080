import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into a flag that a following loop polls, so
/// `inspect tail -f` stops between reads and closes its reader (removing its
/// scratch files) instead of dying in the middle of one.
public final class StopSignals: @unchecked Sendable {
    private let received = Atomic<Bool>(false)
    /// Kept alive as long as the watch; touched only at init and deinit.
    private var sources: [DispatchSourceSignal] = []

    public init(_ signals: [Int32] = [SIGINT, SIGTERM]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.received.store(true, ordering: .releasing) }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }

    public var stopRequested: Bool { received.load(ordering: .acquiring) }

    /// Sleeps up to `duration`, waking early when a signal arrives.
    public func pause(_ duration: Duration) async {
        let deadline = ContinuousClock.now + duration
        while !stopRequested, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
