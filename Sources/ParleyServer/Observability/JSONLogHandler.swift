import Foundation
import Logging

/// Writes each log record as one JSON object per line on stderr: time,
/// level, label, message and metadata (the request id among them).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var members: [(String, JSONOut)] = [
            ("time", .string(LogTimestamp.now())),
            ("level", .string(event.level.rawValue)), ("label", .string(label)), ("message", .string("\(event.message)")),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            members.append((key == "hb.request.id" ? "request_id" : key, .string("\(value)")))
        }
        var line = JSONOut.object(members).bytes
        line.append(0x0a)
        line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
