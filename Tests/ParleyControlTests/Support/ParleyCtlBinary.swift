import Foundation
import ParleyLoadKit

/// The `parleyctl`, `parley` and `parley-load` executables built beside this test binary.
enum Executables {
    static func path(of name: String) throws -> String {
        let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = URL(fileURLWithPath: testBinary).deletingLastPathComponent().appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw MissingBinary(path: path) }
        return path
    }

    struct MissingBinary: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is not built; run `swift build` first" }
    }
}

/// What one run of a tool did.
struct ToolRun: Sendable {
    var status: Int32
    var output: String
    var errorOutput: String

    /// The last line of standard output as a JSON object (a command's `--json` summary).
    func summary() throws -> [String: Any] {
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw NotJSON(line: line)
        }
        return object
    }

    struct NotJSON: Error, CustomStringConvertible {
        var line: String
        var description: String { "not a JSON object: \(line)" }
    }
}

/// Runs `parleyctl` (or another tool built beside the tests) to completion.
enum ParleyCtl {
    static func run(_ arguments: [String], tool: String = "parleyctl") async throws -> ToolRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Executables.path(of: tool))
        process.arguments = arguments
        let output = Pipe.privateToChild()
        let errors = Pipe.privateToChild()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        async let out = PipeReading.readToEnd(output.fileHandleForReading)
        async let err = PipeReading.readToEnd(errors.fileHandleForReading)
        let (outData, errData) = await (out, err)
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return ToolRun(
            status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
            errorOutput: String(decoding: errData, as: UTF8.self))
    }
}
