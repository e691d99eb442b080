import Testing

@testable import ParleyServer

/// A connection's queue of frames to handle: one task at a time, order,
/// reading paused and resumed, and the end after the last frame.
@Suite struct InboundFramesTests {
    private func frame(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func oneTaskHandlesFramesInOrderAndEndsWhenNoneAreLeft() {
        let inbound = InboundFrames()
        #expect(inbound.push(frame("a")) == .init(start: true, pause: false))
        #expect(inbound.push(frame("b")) == .init(start: false, pause: false))
        #expect(inbound.next() == .frame(frame("a"), resume: false))
        #expect(inbound.push(frame("c")) == .init(start: false, pause: false))
        #expect(inbound.next() == .frame(frame("b"), resume: false))
        #expect(inbound.next() == .frame(frame("c"), resume: false))
        #expect(inbound.next() == .idle)
        // The task ended: the next frame starts another.
        #expect(inbound.push(frame("d")) == .init(start: true, pause: false))
    }

    @Test func readingPausesAtTheThresholdAndResumesAtHalf() {
        let inbound = InboundFrames()
        let threshold = InboundFrames.pauseThreshold
        for index in 0..<(threshold - 1) {
            #expect(inbound.push(frame("\(index)")).pause == false)
        }
        #expect(inbound.push(frame("last")).pause)
        var resumedAfter: Int?
        for taken in 1...threshold {
            guard case .frame(_, let resume) = inbound.next() else {
                Issue.record("frame \(taken) missing")
                return
            }
            if resume {
                #expect(resumedAfter == nil)
                resumedAfter = taken
            }
        }
        #expect(resumedAfter == threshold - threshold / 2 + 1)
    }

    @Test func aPauseDecidedAfterAResumeWasAskedForStands() {
        let inbound = InboundFrames()
        let threshold = InboundFrames.pauseThreshold
        for index in 0..<threshold { _ = inbound.push(frame("\(index)")) }
        #expect(inbound.isPaused)
        var resumed = false
        while !resumed, case .frame(_, let resume) = inbound.next() { resumed = resume }
        #expect(resumed && !inbound.isPaused)
        // Frames come in again before the resume is applied: reading must stay paused.
        var paused = false
        for index in 0..<threshold { paused = inbound.push(frame("again \(index)")).pause || paused }
        #expect(paused && inbound.isPaused)
    }

    @Test func theEndComesAfterEveryFrameQueuedBeforeIt() {
        let inbound = InboundFrames()
        #expect(inbound.push(frame("a")).start)
        #expect(!inbound.end())
        #expect(inbound.push(frame("late")) == .init(start: false, pause: false))
        #expect(inbound.next() == .frame(frame("a"), resume: false))
        #expect(inbound.next() == .ended)
        #expect(inbound.next() == .idle)
        #expect(!inbound.end())
    }

    @Test func anEndWithNothingQueuedStartsATaskToReachIt() {
        let inbound = InboundFrames()
        #expect(inbound.end())
        #expect(inbound.next() == .ended)
    }
}
