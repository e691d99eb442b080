import Synchronization
import Testing

@testable import ParleyServer

/// A connection's outbound queue: order, the slow-client close, the end,
/// and when it wakes its writer.
@Suite struct OutboxTests {
    /// Counts an outbox's wake-ups.
    private final class Wakes: Sendable {
        private let count = Mutex(0)
        func withLock<T>(_ body: (inout Int) -> T) -> T { count.withLock { body(&$0) } }
    }

    private func outbox(limit: Int) -> (Outbox, Wakes) {
        let wakes = Wakes()
        return (Outbox(limit: limit) { wakes.withLock { $0 += 1 } }, wakes)
    }

    private func frames(_ next: Outbox.Next?) -> [String]? {
        guard case .frames(let frames) = next else { return nil }
        return frames.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func framesLeaveInOrderThenTheClose() {
        let (outbox, _) = outbox(limit: 8)
        #expect(outbox.push(Array("a".utf8)))
        #expect(outbox.push(contentsOf: [Array("b".utf8), Array("c".utf8)]))
        outbox.close(.noPong)
        #expect(!outbox.push(Array("d".utf8)))
        #expect(frames(outbox.take()) == ["a", "b", "c"])
        #expect(outbox.take() == .close(.noPong))
    }

    @Test func overflowClosesAsSlowAndDropsTheQueue() {
        let (outbox, _) = outbox(limit: 3)
        for index in 0..<3 { #expect(outbox.push(Array("\(index)".utf8))) }
        #expect(!outbox.push(Array("overflow".utf8)))
        #expect(outbox.isClosing)
        #expect(outbox.take() == .close(.slow))
    }

    @Test func theWriterIsWokenOnceUntilItFindsTheQueueEmpty() {
        let (outbox, wakes) = outbox(limit: 8)
        #expect(outbox.take() == nil)
        outbox.push(Array("x".utf8))
        outbox.push(Array("y".utf8))
        #expect(wakes.withLock { $0 } == 1)
        #expect(frames(outbox.take()) == ["x", "y"])
        // Taken, but the writer has not seen the queue empty yet: it will take again.
        outbox.push(Array("z".utf8))
        #expect(wakes.withLock { $0 } == 1)
        #expect(frames(outbox.take()) == ["z"])
        #expect(outbox.take() == nil)
        outbox.push(Array("w".utf8))
        #expect(wakes.withLock { $0 } == 2)
        #expect(frames(outbox.take()) == ["w"])
        #expect(outbox.take() == nil)
        outbox.finish()
        #expect(wakes.withLock { $0 } == 3)
        #expect(outbox.take() == .close(nil))
        #expect(!outbox.push(Array("late".utf8)))
        #expect(wakes.withLock { $0 } == 3)
    }

    @Test func aCloseWakesAnIdleWriter() {
        let (outbox, wakes) = outbox(limit: 8)
        outbox.close(.shutdown)
        outbox.close(.slow)
        #expect(wakes.withLock { $0 } == 1)
        #expect(outbox.take() == .close(.shutdown))
    }
}
