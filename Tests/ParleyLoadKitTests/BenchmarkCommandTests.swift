import Foundation
import Testing

/// The benchmark commands run end to end and print the JSON their callers parse.
@Suite("parley-load benchmark commands")
struct BenchmarkCommandTests {
    @Test("`log --json` appends every event and reports rate and latency")
    func logCommand() async throws {
        let (status, output) = try await ParleyLoadBinary.run([
            "log", "--appenders", "4", "--events", "200", "--payload", "200", "--streams", "3", "--json",
        ])
        #expect(status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(report["appenders"] as? Int == 4)
        #expect(report["executor"] as? String == "pool")
        #expect(report["events"] as? Int == 200)
        #expect((report["events_per_s"] as? Double ?? 0) > 0)
        #expect((report["p99_ms"] as? Double ?? 0) >= (report["p50_ms"] as? Double ?? .infinity))
    }

    @Test("a lone appender runs on the log's writer thread unless `--on-pool` is given")
    func loneAppender() async throws {
        for (flags, executor) in [([String](), "writer"), (["--on-pool"], "pool")] {
            let (status, output) = try await ParleyLoadBinary.run(
                ["log", "--appenders", "1", "--events", "100", "--json"] + flags)
            #expect(status == 0)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            #expect(report["executor"] as? String == executor)
            #expect(report["events"] as? Int == 100)
            #expect(report["entries_per_fsync"] as? Double == 1)
        }
    }

    @Test("`log-read --json` reads the whole stream")
    func logReadCommand() async throws {
        let (status, output) = try await ParleyLoadBinary.run(["log-read", "--events", "3000", "--json"])
        #expect(status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(report["events"] as? Int == 3000)
        #expect((report["events_per_s"] as? Double ?? 0) > 0)
    }

    @Test("`domain --json` runs every command through the ledger without refusals")
    func domainCommand() async throws {
        let (status, output) = try await ParleyLoadBinary.run([
            "domain", "--callers", "4", "--commands", "200", "--conversations", "5", "--json",
        ])
        #expect(status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(report["callers"] as? Int == 4)
        #expect(report["commands"] as? Int == 200)
        #expect(report["refused"] as? Int == 0)
        #expect((report["commands_per_s"] as? Double ?? 0) > 0)
    }

    @Test("bad arguments are refused with a usage error, not a crash")
    func badArguments() async throws {
        let (status, _) = try await ParleyLoadBinary.run(["log", "--appenders", "0", "--events", "10"])
        #expect(status == 64)
    }
}
