import Foundation
import Synchronization

/// A real `parley serve` child on 127.0.0.1 with a port the OS picks,
/// stopped by ``stop()`` on every path.
///
/// Its log (one line per request at the default level) is read from a pipe
/// and only its end kept, as a log collector would take it: written to a file
/// on the data directory's disk, each fsync of the log would also flush the
/// log file's appended blocks (ext4's ordered journal), which no deployment
/// that ships its logs elsewhere pays.
///
/// Where `setpriv` exists the child is started through it with a parent-death
/// signal, from a thread that lives as long as the child: if this process is
/// killed outright, the kernel kills the server too.
public final class HTTPServerProcess: Sendable {
    public let host: String
    public let port: Int
    public let platformToken: String
    private let process: Process
    private let log: OutputTail

    private init(process: Process, host: String, port: Int, platformToken: String, log: OutputTail) {
        self.process = process
        self.host = host
        self.port = port
        self.platformToken = platformToken
        self.log = log
    }

    public var address: String { "\(host):\(port)" }

    /// The `parley` executable beside the running one, as `swift build` lays them out.
    public static func siblingExecutable() throws -> String {
        let running = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return URL(fileURLWithPath: running).deletingLastPathComponent().appendingPathComponent("parley").path
    }

    /// Starts the server on `dataDirectory` and returns once it prints the address it listens on.
    public static func start(
        executable: String, dataDirectory: String, logLevel: String? = nil,
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
        // Only the settings given here: none from this process's environment.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PARLEY_") }
        environment["PARLEY_PLATFORM_TOKEN"] = platformToken
        if let logLevel { environment["PARLEY_LOG_LEVEL"] = logLevel }
        process.environment = environment
        let output = Pipe.privateToChild()
        let errors = Pipe.privateToChild()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice

        try await launch(process)
        let lines = OutputTail(keeping: 1 << 16)
        let log = OutputTail(keeping: 1 << 14)
        lines.drain(output)
        log.drain(errors)

        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            if let address = lines.listeningAddress, let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) {
                return HTTPServerProcess(
                    process: process, host: String(address[..<colon]), port: port, platformToken: platformToken, log: log)
            }
            guard process.isRunning, ContinuousClock.now < deadline else {
                let status = process.isRunning ? "did not print its address in time" : "exited with status \(process.terminationStatus)"
                kill(process.processIdentifier, SIGKILL)
                throw HarnessError.childFailed("parley serve \(status); its log: \(log.text)")
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
    public var logTail: String { log.text }
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

/// The end of what a child writes to a pipe, read on a thread of its own
/// until the child closes it.
private final class OutputTail: Sendable {
    private let bytes = Mutex([UInt8]())
    private let keeping: Int

    init(keeping: Int) {
        self.keeping = keeping
    }

    /// Reads until the child closes the pipe, pausing 2 ms after each read so
    /// that a log line per request costs this process a wake-up per few
    /// kilobytes rather than per line (the pipe holds 64 KiB, about 25 ms of
    /// request log at 10,000 requests a second).
    func drain(_ pipe: Pipe) {
        Thread {
            let handle = pipe.fileHandleForReading
            while case let chunk = handle.availableData, !chunk.isEmpty {
                self.append(chunk)
                Thread.sleep(forTimeInterval: 0.002)
            }
        }.start()
    }

    private func append(_ data: Data) {
        bytes.withLock { bytes in
            bytes.append(contentsOf: data)
            if bytes.count > 2 * keeping { bytes.removeFirst(bytes.count - keeping) }
        }
    }

    var text: String { bytes.withLock { String(decoding: $0.suffix(keeping), as: UTF8.self) } }

    /// `HOST:PORT` from "… listening on http://HOST:PORT …", once that line is complete.
    var listeningAddress: String? {
        let text = self.text
        guard let marker = text.range(of: "listening on http://") else { return nil }
        let rest = text[marker.upperBound...]
        guard let end = rest.firstIndex(where: { $0 == " " || $0 == "\n" }) else { return nil }
        return String(rest[..<end])
    }
}
