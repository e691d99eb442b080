import Foundation

/// How a server runs. Each setting comes from, in rising precedence: its
/// default, the config file (JSON, `--config` or `PARLEY_CONFIG`), the
/// environment (`PARLEY_…`), and the command line.
public struct ServerConfiguration: Sendable, Hashable {
    public var dataDirectory = "./data"
    public var host = "127.0.0.1"
    public var port = 3000
    /// Request bodies larger than this are refused with 413.
    public var maxBodyBytes = 1 << 20
    /// The platform API's token; when nil, one is generated on first start.
    public var platformToken: String?
    /// `info`, `debug`, `warning`, `error` …
    public var logLevel = "info"

    public init() {}

    public enum Failure: Error, CustomStringConvertible {
        case unreadableFile(path: String, reason: String)
        case invalidValue(setting: String, value: String)
        case unknownSetting(String)

        public var description: String {
            switch self {
            case .unreadableFile(let path, let reason): "cannot read config file \(path): \(reason)"
            case .invalidValue(let setting, let value): "invalid value '\(value)' for \(setting)"
            case .unknownSetting(let name): "unknown setting '\(name)' in the config file"
            }
        }
    }

    /// The settings and their environment names, as the config file spells them.
    static let settings = ["data", "host", "port", "max_body_bytes", "platform_token", "log_level"]

    /// Applies a config file: a JSON object with the keys of ``settings``.
    public mutating func apply(file path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Failure.unreadableFile(path: path, reason: error.localizedDescription)
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure.unreadableFile(path: path, reason: "not a JSON object")
        }
        for (key, value) in object {
            guard Self.settings.contains(key) else { throw Failure.unknownSetting(key) }
            try set(key, to: "\(value)")
        }
    }

    /// Applies `PARLEY_DATA`, `PARLEY_HOST`, `PARLEY_PORT`, `PARLEY_MAX_BODY_BYTES`,
    /// `PARLEY_PLATFORM_TOKEN` and `PARLEY_LOG_LEVEL`.
    public mutating func apply(environment: [String: String]) throws {
        for setting in Self.settings {
            if let value = environment["PARLEY_" + setting.uppercased()] { try set(setting, to: value) }
        }
    }

    public mutating func set(_ setting: String, to value: String) throws {
        switch setting {
        case "data": dataDirectory = value
        case "host": host = value
        case "port":
            guard let port = Int(value), (0...65535).contains(port) else { throw Failure.invalidValue(setting: setting, value: value) }
            self.port = port
        case "max_body_bytes":
            guard let bytes = Int(value), bytes >= 1024, bytes <= 64 << 20 else {
                throw Failure.invalidValue(setting: setting, value: value)
            }
            maxBodyBytes = bytes
        case "platform_token":
            guard value.utf8.count >= 16 else { throw Failure.invalidValue(setting: setting, value: "(at least 16 characters)") }
            platformToken = value
        case "log_level": logLevel = value
        default: throw Failure.unknownSetting(setting)
        }
    }
}
