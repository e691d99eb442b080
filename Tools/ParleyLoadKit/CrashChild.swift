import Foundation
import ParleyLog

/// The process the crash check kills: concurrent appenders that print each
/// acknowledged append on standard output, one `write(2)` per line, only after
/// the log answered (so after the fsync).
public enum CrashChild {
    public static func run(path: String, appenders: Int, cycle: Int) async throws -> Never {
        let log = try await EventLog.open(at: path)
        emit("ready\n")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for appender in 0..<appenders {
                group.addTask {
                    var n = 0
                    while true {
                        let result = try await log.append(CrashWorkload.entries(cycle: cycle, appender: appender, n: n))
                        let ack = CrashWorkload.Ack(
                            cycle: cycle, appender: appender, n: n, offsets: result.entries.map(\.offset))
                        emit(ack.line)
                        n += 1
                    }
                }
            }
            try await group.waitForAll()
        }
        fatalError("appenders never finish")
    }

    /// Lines are far below `PIPE_BUF`, so one `write` never interleaves with another.
    private static func emit(_ line: String) {
        var bytes = Array(line.utf8)
        let written = bytes.withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        if written != bytes.count { exit(3) }
    }
}
