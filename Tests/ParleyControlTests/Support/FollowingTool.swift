import Foundation
import ParleyLoadKit
import Synchronization

/// A `parleyctl` that keeps running (`inspect tail -f`): its output is read
/// as it arrives, and it is stopped with SIGINT.
final class FollowingTool: Sendable {
    private let process: Process
    private let output = Mutex("")

    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Executables.path(of: "parleyctl"))
        process.arguments = arguments
        let pipe = Pipe.privateToChild()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread { [self] in
            let handle = pipe.fileHandleForReading
            while case let chunk = handle.availableData, !chunk.isEmpty {
                self.output.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }.start()
    }

    /// The first `count` complete lines, once there are that many (failing after a minute).
    func lines(_ count: Int) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let lines = output.withLock { $0 }.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            if lines.count >= count { return lines }
            guard process.isRunning, ContinuousClock.now < deadline else {
                process.terminate()
                throw NotEnough(wanted: count, got: lines)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends SIGINT and returns the exit status.
    func interrupt() async throws -> Int32 {
        kill(process.processIdentifier, SIGINT)
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw NotEnough(wanted: 0, got: ["did not stop on SIGINT"])
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    struct NotEnough: Error, CustomStringConvertible {
        var wanted: Int
        var got: [String]
        var description: String { "wanted \(wanted) lines, got \(got)" }
    }
}
