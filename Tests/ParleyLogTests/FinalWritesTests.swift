import Testing

@testable import ParleyLog

/// What the owner writes at close lands after every queued append is durable,
/// reads back through the durable view, and is skipped after a failed fsync.
@Suite struct FinalWritesTests {
    static func options() -> LogOptions {
        var options = testOptions()
        options.extraFamilies = ["owner"]
        return options
    }

    @Test func finalWritesLandAndReadBack() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            let log = try await EventLog.open(at: path, options: Self.options())
            _ = try await log.append([entry(streams: ["s"])])
            await log.close(finalWrites: { [log] in
                [StoredValue(family: "owner", key: Array("at".utf8), value: Keys.offset(log.head))]
            })
            try await withOpenLog(at: path, Self.options()) { reopened in
                let stored = try await reopened.value(family: "owner", key: Array("at".utf8))
                #expect(stored == Keys.offset(1))
                let missing = try await reopened.value(family: "owner", key: Array("missing".utf8))
                #expect(missing == nil)
                await #expect(throws: LogError.invalidArgument("log is the log's own family")) {
                    try await reopened.value(family: "log", key: [])
                }
            }
        }
    }

    @Test func nothingIsWrittenAfterAFailedFsync() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.sub("log")
            let log = try await EventLog.open(at: path, options: Self.options())
            log.failNextSyncs(1)
            await #expect(throws: (any Error).self) { try await log.append([entry()]) }
            await log.close(finalWrites: { [StoredValue(family: "owner", key: Array("at".utf8), value: [1])] })
            try await withOpenLog(at: path, Self.options()) { reopened in
                let stored = try await reopened.value(family: "owner", key: Array("at".utf8))
                #expect(stored == nil)
            }
        }
    }
}
