import Testing

@testable import ParleyLog

/// Checkpoints taken while appends continue open as consistent logs of the
/// same epoch holding a prefix of the source.
@Suite struct CheckpointTests {
    @Test func checkpointDuringAppendsIsAConsistentPrefix() async throws {
        try await withLog { log, dir in
            let stop = Locked(false)
            let appender = Task {
                var count = 0
                while !stop.value && count < 5_000 {
                    _ = try await log.append([entry(streams: ["s\(count % 3)"], payload: Array("\(count)".utf8))])
                    count += 1
                }
                return count
            }
            #expect(await eventually(timeout: .seconds(30)) { log.head >= 50 })
            let checkpoint = dir.sub("checkpoint")
            try await log.checkpoint(to: checkpoint)
            #expect(await eventually(timeout: .seconds(30)) { log.head >= 100 })
            stop.update { $0 = true }
            let appended = try await appender.value
            #expect(log.head == UInt64(appended))

            let source = try await allEntries(log)
            try await withOpenLog(at: checkpoint) { copy in
                #expect(copy.epoch == log.epoch)
                #expect(copy.head >= 50)
                #expect(copy.head <= log.head)
                #expect(try await copy.verify(allowPrunedGaps: false).isConsistent)
                let copied = try await allEntries(copy)
                #expect(copied.count == Int(copy.head))
                #expect(copied == Array(source.prefix(copied.count)))
                for stream in ["s0", "s1", "s2"] {
                    let head = try await copy.head(of: stream)
                    #expect(head == UInt64(copied.filter { $0.seq(in: stream) != nil }.count))
                }
                // The copy is a log of its own: it takes appends after its head.
                let next = try await copy.append([entry()])
                #expect(next.entries[0].offset == copy.head)
            }
        }
    }

    @Test func checkpointIntoAnExistingDirectoryFails() async throws {
        try await withLog { log, dir in
            _ = try await log.append([entry()])
            let error = await #expect(throws: LogError.self) { try await log.checkpoint(to: dir.path) }
            #expect(error?.code == "storage_error")
        }
    }
}
