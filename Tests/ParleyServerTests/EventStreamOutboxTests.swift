import Testing

@testable import ParleyServer

@Suite struct EventStreamOutboxTests {
    @Test func holdsNoMoreThanItsCapacity() async {
        let outbox = EventStreamOutbox<Int>(capacity: 3)
        for item in 1...3 {
            #expect(await outbox.send(item))
        }
        // The fourth waits for room: it cannot be in the first batch.
        let late = Task { await outbox.send(4) }
        #expect(await outbox.receive() == [1, 2, 3])
        #expect(await late.value)
        #expect(await outbox.receive() == [4])
    }

    @Test func aWaitingReceiverGetsTheNextItem() async {
        let outbox = EventStreamOutbox<Int>(capacity: 2)
        let receiver = Task { await outbox.receive() }
        #expect(await outbox.send(7))
        #expect(await receiver.value == [7])
    }

    @Test func closingWakesEveryoneAndDropsWhatWasQueued() async {
        let outbox = EventStreamOutbox<Int>(capacity: 1)
        #expect(await outbox.send(1))
        let blocked = Task { await outbox.send(2) }
        outbox.close()
        #expect(await blocked.value == false)
        #expect(await outbox.receive() == nil)
        #expect(await outbox.send(3) == false)
        outbox.close()
    }
}
