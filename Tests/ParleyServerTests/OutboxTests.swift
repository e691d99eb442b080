import Testing

@testable import ParleyServer

/// A connection's outbound queue: order, the slow-client close, and the end.
@Suite struct OutboxTests {
    private func frames(_ next: Outbox.Next) -> [String]? {
        guard case .frames(let frames) = next else { return nil }
        return frames.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func framesLeaveInOrderThenTheClose() async {
        let outbox = Outbox(limit: 8)
        #expect(outbox.push(Array("a".utf8)))
        #expect(outbox.push(contentsOf: [Array("b".utf8), Array("c".utf8)]))
        outbox.close(.noPong)
        #expect(!outbox.push(Array("d".utf8)))
        #expect(frames(await outbox.next()) == ["a", "b", "c"])
        guard case .close(let reason) = await outbox.next() else {
            Issue.record("no close")
            return
        }
        #expect(reason == .noPong)
    }

    @Test func overflowClosesAsSlowAndDropsTheQueue() async {
        let outbox = Outbox(limit: 3)
        for index in 0..<3 { #expect(outbox.push(Array("\(index)".utf8))) }
        #expect(!outbox.push(Array("overflow".utf8)))
        #expect(outbox.isClosing)
        guard case .close(let reason) = await outbox.next() else {
            Issue.record("no close")
            return
        }
        #expect(reason == .slow)
    }

    @Test func aWaitingWriterWakesForFramesAndForTheEnd() async {
        let outbox = Outbox(limit: 8)
        async let first = outbox.next()
        try? await Task.sleep(for: .milliseconds(20))
        outbox.push(Array("x".utf8))
        #expect(frames(await first) == ["x"])
        async let second = outbox.next()
        try? await Task.sleep(for: .milliseconds(20))
        outbox.finish()
        guard case .close(let reason) = await second else {
            Issue.record("no end")
            return
        }
        #expect(reason == nil)
    }
}
