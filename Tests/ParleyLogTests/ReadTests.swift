import Testing

@testable import ParleyLog

/// Reads by offset and by stream in both directions, stream listing by
/// prefix with paging, and the limit check.
@Suite struct ReadTests {
    /// Ten entries: odd offsets in stream "odd", every third in "three".
    private func fill(_ log: EventLog) async throws {
        for offset in 1...10 {
            var streams: [String] = []
            if offset % 2 == 1 { streams.append("odd") }
            if offset % 3 == 0 { streams.append("three") }
            _ = try await log.append([entry("t\(offset)", streams: streams)])
        }
    }

    @Test func readAfterIsOldestFirst() async throws {
        try await withLog { log, _ in
            try await fill(log)
            #expect(try await log.read(after: 0, limit: 3).map(\.offset) == [1, 2, 3])
            #expect(try await log.read(after: 3, limit: 100).map(\.offset) == Array(4...10))
            #expect(try await log.read(after: 9, limit: 5).map(\.type) == ["t10"])
            #expect(try await log.read(after: 10, limit: 5).isEmpty)
            #expect(try await log.read(after: .max, limit: 5).isEmpty)
        }
    }

    @Test func readBeforeIsNewestFirst() async throws {
        try await withLog { log, _ in
            try await fill(log)
            #expect(try await log.read(before: nil, limit: 3).map(\.offset) == [10, 9, 8])
            #expect(try await log.read(limit: 2).map(\.offset) == [10, 9])
            #expect(try await log.read(before: 4, limit: 10).map(\.offset) == [3, 2, 1])
            #expect(try await log.read(before: 1, limit: 10).isEmpty)
            #expect(try await log.read(before: 100, limit: 1).map(\.offset) == [10])
        }
    }

    @Test func readStreamAfterIsInSequenceOrder() async throws {
        try await withLog { log, _ in
            try await fill(log)
            let odd = try await log.read(stream: "odd", after: 0, limit: 100)
            #expect(odd.map(\.offset) == [1, 3, 5, 7, 9])
            #expect(odd.map { $0.seq(in: "odd") } == [1, 2, 3, 4, 5])
            #expect(try await log.read(stream: "odd", after: 2, limit: 2).map(\.offset) == [5, 7])
            #expect(try await log.read(stream: "odd", after: 5, limit: 2).isEmpty)
            let three = try await log.read(stream: "three", after: 0, limit: 100)
            #expect(three.map(\.offset) == [3, 6, 9])
            // Offset 3 and 9 are in both streams and list both positions.
            #expect(three[0].streams == [StreamPosition(stream: "odd", seq: 2), StreamPosition(stream: "three", seq: 1)])
            #expect(try await log.read(stream: "none", after: 0, limit: 10).isEmpty)
            // A stream whose name extends another's is a different stream.
            #expect(try await log.read(stream: "od", after: 0, limit: 10).isEmpty)
        }
    }

    @Test func readStreamBeforeIsNewestFirst() async throws {
        try await withLog { log, _ in
            try await fill(log)
            #expect(try await log.read(stream: "odd", before: nil, limit: 2).map(\.offset) == [9, 7])
            #expect(try await log.read(stream: "odd", limit: 10).map(\.offset) == [9, 7, 5, 3, 1])
            #expect(try await log.read(stream: "odd", before: 3, limit: 10).map(\.offset) == [3, 1])
            #expect(try await log.read(stream: "odd", before: 1, limit: 10).isEmpty)
            #expect(try await log.read(stream: "three", before: 3, limit: 1).map(\.offset) == [6])
        }
    }

    @Test func streamsListsHeadsInNameOrderWithPaging() async throws {
        try await withLog { log, _ in
            let names = [
                "conversation:12:1", "conversation:1:2", "conversation:1:1", "conversation:1:10",
                "conversation:2:1", "account:1",
            ]
            for (index, name) in names.enumerated() {
                for _ in 0...index { _ = try await log.append([entry(streams: [name])]) }
            }
            let all = try await log.streams(prefix: "", limit: 100)
            #expect(all == [
                StreamHead(stream: "account:1", seq: 6),
                StreamHead(stream: "conversation:12:1", seq: 1),
                StreamHead(stream: "conversation:1:1", seq: 3),
                StreamHead(stream: "conversation:1:10", seq: 4),
                StreamHead(stream: "conversation:1:2", seq: 2),
                StreamHead(stream: "conversation:2:1", seq: 5),
            ])
            let one = try await log.streams(prefix: "conversation:1:", limit: 100)
            #expect(one.map(\.stream) == ["conversation:1:1", "conversation:1:10", "conversation:1:2"])
            #expect(one.map(\.seq) == [3, 4, 2])
            let twelve = try await log.streams(prefix: "conversation:12:", limit: 100)
            #expect(twelve == [StreamHead(stream: "conversation:12:1", seq: 1)])

            let firstPage = try await log.streams(prefix: "conversation:1:", limit: 2)
            #expect(firstPage.map(\.stream) == ["conversation:1:1", "conversation:1:10"])
            let secondPage = try await log.streams(prefix: "conversation:1:", after: firstPage.last?.stream, limit: 2)
            #expect(secondPage == [StreamHead(stream: "conversation:1:2", seq: 2)])
            let thirdPage = try await log.streams(prefix: "conversation:1:", after: "conversation:1:2", limit: 2)
            #expect(thirdPage.isEmpty)
            #expect(try await log.streams(prefix: "zzz", limit: 10).isEmpty)
        }
    }

    /// A stream read gathers its entries by offset in one batched lookup;
    /// here they lie in three table files and, for the newest, in the
    /// memtable, and pages come back whole and in order both ways.
    @Test func streamPagesSpanTablesAndTheMemtable() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            func payload(_ offset: Int) -> [UInt8] { Array("entry \(offset)".utf8) }
            func fill(_ log: EventLog, _ offsets: ClosedRange<Int>) async throws {
                for offset in offsets {
                    _ = try await log.append([entry(streams: offset % 3 == 0 ? ["s"] : ["other"], payload: payload(offset))])
                }
            }
            // Each close flushes: three table files, then the memtable.
            for first in [1, 201, 401] {
                try await withOpenLog(at: path) { log in try await fill(log, first...(first + 199)) }
            }
            try await withOpenLog(at: path) { log in
                try await fill(log, 601...660)
                let expected = (1...660).filter { $0 % 3 == 0 }.map(UInt64.init)
                var forward: [LogEntry] = []
                while forward.count < expected.count {
                    let page = try await log.read(stream: "s", after: UInt64(forward.count), limit: 64)
                    #expect(!page.isEmpty)
                    if page.isEmpty { break }
                    forward += page
                }
                #expect(forward.map(\.offset) == expected)
                #expect(forward.map(\.payload) == expected.map { payload(Int($0)) })
                #expect(forward.map { $0.seq(in: "s") } == (1...UInt64(expected.count)).map { $0 })
                let backward = try await log.read(stream: "s", before: nil, limit: 1000)
                #expect(backward.map(\.offset) == expected.reversed())
                #expect(backward.map(\.payload) == expected.reversed().map { payload(Int($0)) })
            }
        }
    }

    @Test func zeroLimitIsInvalidArgument() async throws {
        try await withLog { log, _ in
            _ = try await log.append([entry(streams: ["s"])])
            let expected = LogError.invalidArgument("limit must be positive")
            await #expect(throws: expected) { try await log.read(after: 0, limit: 0) }
            await #expect(throws: expected) { try await log.read(before: nil, limit: 0) }
            await #expect(throws: expected) { try await log.read(stream: "s", after: 0, limit: 0) }
            await #expect(throws: expected) { try await log.read(stream: "s", before: nil, limit: 0) }
            await #expect(throws: expected) { try await log.streams(prefix: "", limit: 0) }
            await #expect(throws: expected) { try await log.read(after: 0, limit: -1) }
            #expect(expected.code == "invalid_argument")
        }
    }

    @Test func invalidStreamNamesAreRefusedByReads() async throws {
        try await withLog { log, _ in
            await #expect(throws: LogError.invalidStreamName("a b")) { try await log.read(stream: "a b", after: 0, limit: 1) }
            await #expect(throws: LogError.invalidStreamName("")) { try await log.read(stream: "", before: nil, limit: 1) }
            await #expect(throws: LogError.invalidStreamName("é")) { try await log.head(of: "é") }
            await #expect(throws: LogError.invalidStreamName("a b")) { try await log.streams(prefix: "a b", limit: 1) }
            #expect(throws: LogError.invalidStreamName("x\u{0}")) { try log.tail(stream: "x\u{0}", after: 0) }
        }
    }
}
