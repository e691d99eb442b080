import Testing

@testable import ParleyServer

@Suite struct EventStreamPositionTests {
    let channels = ["inbox:1:4", "conversation:1:17"]

    @Test func formatsAndParsesBack() {
        let position = EventStreamPosition(epoch: "d5aeb05c60ffd0ba", channels: channels, seqs: [41, 0])
        #expect(position.text == "d5aeb05c60ffd0ba;\(EventStreamPosition.tag(of: channels));41,0")
        #expect(EventStreamPosition.parse(position.text) == position)
    }

    @Test func theTagIsFNV1aOfTheJoinedNames() {
        #expect(EventStreamPosition.tag(of: []) == "811c9dc5")
        #expect(EventStreamPosition.tag(of: ["a"]) == "e40c292c")
        #expect(EventStreamPosition.tag(of: ["a", "b"]) != EventStreamPosition.tag(of: ["b", "a"]))
    }

    @Test func resumesOnlyThisLogTheseChannelsAndKnownPositions() {
        let id = EventStreamPosition(epoch: "e1", channels: channels, seqs: [3, 5]).text
        #expect(EventStreamPosition.resume(id, epoch: "e1", channels: channels, heads: [3, 9]) == .success([3, 5]))
        #expect(EventStreamPosition.resume(id, epoch: "e2", channels: channels, heads: [3, 9]) == .failure(.epochChanged))
        #expect(
            EventStreamPosition.resume(id, epoch: "e1", channels: channels.reversed(), heads: [9, 3])
                == .failure(.channelsChanged))
        #expect(EventStreamPosition.resume(id, epoch: "e1", channels: channels, heads: [2, 9]) == .failure(.aheadOfStream))
        let short = EventStreamPosition(epoch: "e1", channels: channels, seqs: [3]).text
        #expect(EventStreamPosition.resume(short, epoch: "e1", channels: channels, heads: [3, 9]) == .failure(.channelsChanged))
    }

    @Test func refusesAnythingOffTheFormat() {
        let tag = EventStreamPosition.tag(of: channels)
        for text in [
            "", "garbage", "e1;\(tag)", "e1;\(tag);", "e1;\(tag);1,", "e1;\(tag);,1", "e1;\(tag);01", "e1;\(tag);-1",
            "e1;\(tag);+1", "e1;\(tag);1 ", "e1;\(tag);18446744073709551616", "e1;\(tag.uppercased())X;1", "e1;abc;1",
            ";\(tag);1", "e 1;\(tag);1", "e1;\(tag);1;", String(repeating: "e", count: 65) + ";\(tag);1",
            "e1;\(tag);" + String(repeating: "1,", count: 600) + "1",
        ] {
            #expect(EventStreamPosition.parse(text) == nil, "\(text)")
        }
        #expect(EventStreamPosition.parse("e1;\(tag);18446744073709551615")?.seqs == [.max])
    }
}
