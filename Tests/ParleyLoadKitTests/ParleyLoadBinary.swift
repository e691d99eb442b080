import Foundation
import ParleyLoadKit

/// The `parley-load` executable built beside this test binary.
enum ParleyLoadBinary {
    static var path: String {
        get throws {
            let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            let path = URL(fileURLWithPath: testBinary).deletingLastPathComponent().appendingPathComponent("parley-load").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw MissingBinary(path: path)
            }
            return path
        }
    }

    struct MissingBinary: Error, CustomStringConvertible {
        var path: String
        var description: String { "parley-load not built at \(path); run `swift build` first" }
    }

    /// Runs `parley-load` with `arguments` and returns its exit status and standard output.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path)
        process.arguments = arguments
        let output = Pipe.privateToChild()
        process.standardOutput = output
        try process.run()
        let data = await PipeReading.readToEnd(output.fileHandleForReading)
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
