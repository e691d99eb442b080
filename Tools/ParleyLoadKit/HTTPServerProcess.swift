import Foundation
import Synchronization

/// A real `parley serve` child on 127.0.0.1 with a port the OS picks, its
/// log written to a file, stopped by ``stop()`` on every path.
///
/// Where `setpriv` exists the child is started through it with a parent-death
/// signal, from a thread that lives as long as the child: if this process is
/// killed outright, the kernel kills the server too.
public final class HTTPServerProcess: Sendable {
    public let host: String
    public let port: Int
    public let platformToken: String
    public let logPath: String
    private let process: Process

    private init(process: Process, host: String, port: Int, platformToken: String, logPath: String) {
        self.process = process
        self.host = host
        self.port = port
        self.platformToken = platformToken
        self.logPath = logPath
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var address: String { "\(host):\(port)" }

    /// The `parley` executable beside the running one, as `swift build` lays them out.
    public static func siblingExecutable() throws -> String {
        let running = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return URL(fileURLWithPath: running).deletingLastPathComponent().appendingPathComponent("parley").path
    }

    /// Starts the server on `dataDirectory` and returns once it prints the address it listens on.
    public static func start(
        executable: String, dataDirectory: String, logPath: String, logLevel: String? = nil,
        platformToken: String = "load-\(UInt64.random(in: 0...UInt64.max))-\(UInt64.random(in: 0...UInt64.max))"
    ) async throws -> HTTPServerProcess {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw HarnessError.childFailed("no parley executable at \(executable); build it with `swift build --product parley`")
        }
        let process = Process()
        let serve = [executable, "serve", "--data", dataDirectory, "--host", "127.0.0.1", "--port", "0"]
        let setpriv = "/usr/bin/setpriv"
        if FileManager.default.isExecutableFile(atPath: setpriv) {
            process.executableURL = URL(fileURLWithPath: setpriv)
            process.arguments = ["--pdeathsig", "KILL", "--"] + serve
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = Array(serve.dropFirst())
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PARLEY_PLATFORM_TOKEN"] = platformToken
        if let logLevel { environment["PARLEY_LOG_LEVEL"] = logLevel }
        process.environment = environment
        guard FileManager.default.createFile(atPath: logPath, contents: nil), let log = FileHandle(forWritingAtPath: logPath) else {
            throw HarnessError.childFailed("cannot create the server log \(logPath)")
        }
        process.standardError = log
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice

        try await launch(process)
        try? log.close()
        let lines = OutputLines()
        let reader = Thread {
            let handle = output.fileHandleForReading
            while case let chunk = handle.availableData, !chunk.isEmpty { lines.append(chunk) }
        }
        reader.start()

        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            if let address = lines.listeningAddress, let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) {
                return HTTPServerProcess(
                    process: process, host: String(address[..<colon]), port: port, platformToken: platformToken, logPath: logPath)
            }
            guard process.isRunning, ContinuousClock.now < deadline else {
                let status = process.isRunning ? "did not print its address in time" : "exited with status \(process.terminationStatus)"
                kill(process.processIdentifier, SIGKILL)
                throw HarnessError.childFailed("parley serve \(status); its log: \(logTail(logPath))")
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs the child from a thread that waits for it to exit, so the parent
    /// thread the parent-death signal watches outlives the child.
    private static func launch(_ process: Process) async throws {
        let launched = Launched()
        let thread = Thread {
            do {
                try process.run()
                launched.result.withLock { $0 = .success(()) }
            } catch {
                launched.result.withLock { $0 = .failure(error) }
                return
            }
            process.waitUntilExit()
        }
        thread.start()
        while true {
            if let result = launched.result.withLock({ $0 }) { return try result.get() }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Asks the server to stop (SIGTERM: it drains, checkpoints and closes)
    /// and kills it if it has not exited within `grace`.
    public func stop(grace: Duration = .seconds(30)) async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// CPU seconds (user and system) the server has used so far.
    public func cpuSeconds() -> Double? {
        ProcessCPU.seconds(of: process.processIdentifier)
    }

    /// The end of the server's log, for error messages.
    public static func logTail(_ path: String, bytes: Int = 2000) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "(no log)" }
        return String(decoding: data.suffix(bytes), as: UTF8.self)
    }
}

/// CPU time of a process from `/proc/<pid>/stat`.
public enum ProcessCPU {
    public static func seconds(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    public static func ownSeconds() -> Double? { seconds(of: getpid()) }
}

/// Whether the launcher thread started the child.
private final class Launched: Sendable {
    let result = Mutex<Result<Void, any Error>?>(nil)
}

/// The child's standard output, scanned for the address it listens on.
private final class OutputLines: Sendable {
    private let text = Mutex("")

    func append(_ data: Data) {
        text.withLock { $0 += String(decoding: data, as: UTF8.self) }
    }

    /// `HOST:PORT` from "… listening on http://HOST:PORT …", once that line is complete.
    var listeningAddress: String? {
        text.withLock { text in
            guard let marker = text.range(of: "listening on http://") else { return nil }
            let rest = text[marker.upperBound...]
            guard let end = rest.firstIndex(where: { $0 == " " || $0 == "\n" }) else { return nil }
            return String(rest[..<end])
        }
    }
}
