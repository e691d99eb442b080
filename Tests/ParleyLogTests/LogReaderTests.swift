import Foundation
import Testing

@testable import ParleyLog

/// The read-only secondary view tools use while a server writes the directory.
@Suite struct LogReaderTests {
    @Test("reads what the open log acknowledged, and more after a catch-up")
    func followsThePrimary() async throws {
        try await withLog { log, dir in
            for index in 1...3 { _ = try await log.append([entry("t\(index)", streams: ["s"])]) }
            let reader = try await LogReader.open(at: dir.sub("log"))
            #expect(reader.epoch == log.epoch)
            #expect(reader.head == 3)
            #expect(try await reader.read(after: 0, limit: 10).map(\.type) == ["t1", "t2", "t3"])
            for index in 4...5 { _ = try await log.append([entry("t\(index)", streams: ["s"])]) }
            #expect(reader.head == 3)
            try await reader.catchUp()
            #expect(reader.head == 5)
            #expect(try await reader.read(stream: "s", after: 3, limit: 10).map(\.type) == ["t4", "t5"])
            #expect(try await reader.read(before: nil, limit: 2).map(\.offset) == [5, 4])
            #expect(try await reader.head(of: "s") == 5)
            #expect(try await reader.streams(prefix: "", limit: 10).map(\.stream) == ["s"])
            await reader.close()
            // The reader never took the lock: the primary still appends.
            #expect(try await log.append([entry("t6")]).entries[0].offset == 6)
        }
    }

    @Test("names a missing directory, a file, and a directory that holds no log")
    func refusesWhatIsNotALog() async throws {
        try await withTemporaryDirectory { dir in
            await #expect(throws: LogError.missingDirectory(path: dir.sub("none"))) {
                try await LogReader.open(at: dir.sub("none"))
            }
            _ = FileManager.default.createFile(atPath: dir.sub("file"), contents: Data("x".utf8))
            await #expect(throws: LogError.notADirectory(path: dir.sub("file"))) {
                try await LogReader.open(at: dir.sub("file"))
            }
            try FileManager.default.createDirectory(atPath: dir.sub("empty"), withIntermediateDirectories: false)
            await #expect(throws: LogError.notALogDirectory(path: dir.sub("empty"))) {
                try await LogReader.open(at: dir.sub("empty"))
            }
        }
    }

    @Test("opens a closed log and lists the owner's families")
    func readsAClosedLog() async throws {
        try await withTemporaryDirectory { dir in
            var options = testOptions()
            options.extraFamilies = ["views"]
            try await withOpenLog(at: dir.sub("log"), options) { log in
                _ = try await log.append([entry("a")])
            }
            let reader = try await LogReader.open(at: dir.sub("log"))
            #expect(reader.head == 1)
            #expect(reader.ownerFamilies == ["views"])
            await reader.close()
        }
    }
}
