import Foundation
import ParleyServer
import Testing

@testable import ParleyLog

/// Every refusal of backup, restore, inspect and token: one line naming the
/// problem on stderr, a non-zero exit, and nothing changed on disk.
@Suite("parleyctl bad input")
struct BadInputTests {
    /// Runs `arguments`, expecting a refusal whose one line contains `message`.
    func refused(_ arguments: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let run = try await ParleyCtl.run(arguments)
        #expect(run.status != 0, "\(arguments) succeeded", sourceLocation: sourceLocation)
        let lines = run.errorOutput.split(separator: "\n")
        #expect(lines.count == 1, "\(run.errorOutput)", sourceLocation: sourceLocation)
        #expect(run.errorOutput.contains(message), "\(run.errorOutput)", sourceLocation: sourceLocation)
        #expect(run.output.isEmpty, sourceLocation: sourceLocation)
    }

    @Test("a missing data directory is named and not created")
    func missingDirectory() async throws {
        try await withScratch { dir in
            let missing = dir + "/missing"
            for command in [
                ["inspect", "--data", missing, "stats"], ["backup", "--data", missing, "--out", dir + "/b"],
                ["token", "--data", missing, "--account", "1", "--user", "1"],
            ] {
                try await refused(command, "data directory \(missing) does not exist")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }
    }

    @Test("a directory without a Parley log is refused and left as it was")
    func notAParleyDirectory() async throws {
        try await withScratch { dir in
            let other = dir + "/other"
            try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: false)
            try Data("notes".utf8).write(to: URL(fileURLWithPath: other + "/notes.txt"))
            let before = fingerprint(dir)
            for command in [
                ["inspect", "--data", other, "head"], ["backup", "--data", other, "--out", dir + "/b"],
                ["token", "--data", other, "--account", "1", "--user", "1"],
            ] {
                try await refused(command, "\(other) is not empty and holds no Parley log")
            }
            #expect(fingerprint(dir) == before)
        }
    }

    @Test("a log of a newer format is refused by inspect and backup")
    func newerFormat() async throws {
        try await withScratch { dir in
            let data = dir + "/data"
            _ = try await KnownLog.write(at: data)
            let database = try RocksDatabase(path: data, familyNames: Family.all, blockCacheBytes: 1 << 20)
            let batch = WriteBatch()
            batch.put(database.family(Family.meta)!, key: MetaKey.format, value: [0, 0, 0, 99])
            try database.write(batch, sync: true)
            database.close()
            let before = fingerprint(dir)
            try await refused(["inspect", "--data", data, "stats"], "format version 99; this build reads up to 1")
            try await refused(["backup", "--data", data, "--out", dir + "/b"], "format version 99")
            #expect(fingerprint(dir) == before)
        }
    }

    @Test("backup refuses a destination that exists or has no parent")
    func backupDestination() async throws {
        try await withScratch { dir in
            let data = dir + "/data"
            _ = try await KnownLog.write(at: data)
            let existing = dir + "/existing"
            try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false)
            let before = fingerprint(dir)
            try await refused(["backup", "--data", data, "--out", existing], "backup destination \(existing) already exists")
            try await refused(["backup", "--data", data, "--out", dir + "/no/such/b"], "the directory \(dir)/no/such for backup")
            #expect(fingerprint(dir) == before)
        }
    }

    @Test("restore refuses a non-empty target, a file, a directory that is not a backup, and a newer backup")
    func restoreRefusals() async throws {
        try await withScratch { dir in
            let (data, backup, target) = (dir + "/data", dir + "/backup", dir + "/target")
            _ = try await KnownLog.write(at: data)
            #expect(try await ParleyCtl.run(["backup", "--data", data, "--out", backup]).status == 0)
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
            try Data("keep".utf8).write(to: URL(fileURLWithPath: target + "/keep.txt"))
            let file = dir + "/file"
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            var before = fingerprint(dir)
            try await refused(["restore", "--from", backup, "--data", target], "\(target) is not empty")
            try await refused(["restore", "--from", backup, "--data", file], "\(file) is a file")
            try await refused(["restore", "--from", data, "--data", dir + "/new"], "\(data) is not a Parley backup")
            try await refused(["restore", "--from", dir + "/none", "--data", dir + "/new"], "backup \(dir)/none does not exist")
            #expect(fingerprint(dir) == before)

            let marker = backup + "/" + DataBackup.markerFileName
            var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: marker))) as? [String: Any])
            object["format"] = 2
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: marker))
            before = fingerprint(dir)
            try await refused(["restore", "--from", backup, "--data", dir + "/new"], "backup \(backup) has format 2")
            #expect(fingerprint(dir) == before)
        }
    }

    @Test("show refuses an offset with no entry and the log is untouched")
    func showMissingOffset() async throws {
        try await withScratch { dir in
            _ = try await KnownLog.write(at: dir)
            let before = fingerprint(dir)
            try await refused(["inspect", "--data", dir, "show", "9"], "no entry at offset 9 (the head is 4")
            #expect(fingerprint(dir) == before)
        }
    }

    @Test("token refuses an unknown account, an unknown user, a non-member and a directory without secrets")
    func tokenRefusals() async throws {
        try await withScratch { dir in
            let data = dir + "/data"
            try await LedgerLog.write(at: data)
            let head = try await ParleyCtl.run(["inspect", "--data", data, "stats", "--json"]).summary()["head"] as? Int
            try await refused(["token", "--data", data, "--account", "9", "--user", "1"], "account 9 does not exist")
            try await refused(["token", "--data", data, "--account", "1", "--user", "7"], "user 7 does not exist")
            try await refused(["token", "--data", data, "--account", "1", "--user", "2"], "user 2 is not a member of account 1")
            let after = try await ParleyCtl.run(["inspect", "--data", data, "stats", "--json"]).summary()["head"] as? Int
            #expect(after == head)

            let bare = dir + "/bare"
            _ = try await KnownLog.write(at: bare)
            try await refused(["token", "--data", bare, "--account", "1", "--user", "1"], "has no parley-server.json")
        }
    }
}
