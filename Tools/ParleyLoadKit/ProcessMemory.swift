import Foundation

/// Resident memory of a process, and the limits that many sockets need.
public enum ProcessMemory {
    /// `VmRSS` of `/proc/<pid>/status`, in KiB.
    public static func residentKiB(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// The `parley serve` process serving `dataDirectory` (started through
    /// `setpriv`, which execs it, so the pid is the child's), found by its
    /// command line.
    public static func serverPID(dataDirectory: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard let data = arguments.firstIndex(of: "--data"), data + 1 < arguments.count else { continue }
            if arguments.contains("serve"), arguments[data + 1] == dataDirectory, !arguments.contains("--pdeathsig") { return pid }
        }
        return nil
    }

    /// The most open files this process may raise its limit to.
    public static var openFileHardLimit: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return Int(clamping: limit.rlim_max)
    }

    /// Raises this process's open-file limit to its hard limit (children
    /// started afterwards inherit it) and returns the new limit.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(clamping: limit.rlim_cur)
    }
}
