import Foundation
import ParleyLoadKit
import ParleyLog
import Testing

/// Promise 2, proven on real processes: an acknowledged append survives SIGKILL.
@Suite("Durability under kill -9")
struct CrashTests {
    @Test("five SIGKILL cycles lose no acknowledged entry, tear none, and retries still deduplicate")
    func killCycles() async throws {
        let directory = try ScratchDirectory(prefix: "parley-crash")
        defer { directory.remove() }
        let harness = CrashHarness(childExecutable: try ParleyLoadBinary.path, appenders: 16)

        let report = try await harness.run(cycles: 5, directory: directory.path)

        #expect(report.cycles == 5)
        #expect(report.acked > 0)
        #expect(report.lost == 0)
        #expect(report.torn == 0)
        #expect(report.notDeduplicated == 0)
        #expect(report.entries >= report.acked)
    }

    @Test("`parley-load crash --json` prints one line with cycles, acked, lost and torn")
    func crashCommand() async throws {
        let (status, output) = try await ParleyLoadBinary.run(["crash", "--cycles", "1", "--appenders", "4", "--json"])
        #expect(status == 0)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1)
        let report = try JSONDecoder().decode(CrashHarness.Report.self, from: Data(lines[0].utf8))
        #expect(report.cycles == 1)
        #expect(report.acked > 0)
        #expect(report.lost == 0)
        #expect(report.torn == 0)
    }

    @Test("a data directory held by another process is refused, naming the cause")
    func lockedByAnotherProcess() async throws {
        let directory = try ScratchDirectory(prefix: "parley-locked")
        defer { directory.remove() }
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: try ParleyLoadBinary.path)
        holder.arguments = ["crash-child", "--data", directory.path, "--appenders", "1"]
        let output = Pipe.privateToChild()
        holder.standardOutput = output
        try holder.run()
        defer {
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        let ready = await PipeReading.available(output.fileHandleForReading)
        #expect(String(decoding: ready, as: UTF8.self).hasPrefix("ready"))

        await #expect(throws: LogError.locked(path: directory.path)) {
            let log = try await EventLog.open(at: directory.path)
            await log.close()
        }
    }
}
