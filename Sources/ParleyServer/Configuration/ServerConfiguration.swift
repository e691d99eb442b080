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
    /// Seconds between the server's pings on a WebSocket (0 turns them off).
    public var pingInterval = 25
    /// Seconds a client has to answer a ping before it is disconnected (3012).
    public var pongTimeout = 8
    /// Frames a connection may have waiting to be written; past it the
    /// connection is disconnected with 3008 and recovers from the log.
    public var outboundQueueLimit = 1024
    /// The largest WebSocket frame accepted.
    public var maxFrameBytes = 64 << 10
    /// Seconds after which a typing indicator stops by itself.
    public var typingTimeout = 5
    /// Seconds a realtime token is valid.
    public var realtimeTokenTTL = 3600
    /// The most publications a subscribe recovers in its reply; a larger gap
    /// answers `recovered: false` and is paged through `history`.
    public var recoveryLimit = 1000
    /// Seconds a presence entry lives without being refreshed.
    public var presenceTTL = 60
    /// Seconds a webhook endpoint has to answer one delivery.
    public var webhookTimeout = 5
    /// Seconds a webhook delivery keeps being retried before the webhook is marked failing.
    public var webhookRetryAge = 86_400
    /// Milliseconds before the first retry of a failed delivery; each retry waits twice as long, with jitter.
    public var webhookRetryBaseMilliseconds = 1000
    /// The longest wait between two retries, in milliseconds.
    public var webhookRetryMaxMilliseconds = 600_000
    /// Deliveries one webhook has under way at once (one per conversation or contact at a time).
    public var webhookConcurrency = 8
    /// The least keyword score (0…1) at which the FAQ auto-answer replies.
    public var faqConfidence = 0.7
    /// Seconds between the checks for contacts waiting past their inbox's first-response threshold.
    public var waitingCheckInterval = 30

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
    static let settings = [
        "data", "host", "port", "max_body_bytes", "platform_token", "log_level", "ping_interval", "pong_timeout",
        "outbound_queue_limit", "max_frame_bytes", "typing_timeout", "realtime_token_ttl", "recovery_limit", "presence_ttl",
        "webhook_timeout", "webhook_retry_age", "webhook_retry_base_ms", "webhook_retry_max_ms", "webhook_concurrency",
        "faq_confidence", "waiting_check_interval",
    ]

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

    /// Applies `PARLEY_` followed by a setting's name in capitals (`PARLEY_DATA`,
    /// `PARLEY_PING_INTERVAL` …).
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
        case "ping_interval": pingInterval = try Self.number(setting, value, in: 0...3600)
        case "pong_timeout": pongTimeout = try Self.number(setting, value, in: 1...600)
        case "outbound_queue_limit": outboundQueueLimit = try Self.number(setting, value, in: 16...1_000_000)
        case "max_frame_bytes": maxFrameBytes = try Self.number(setting, value, in: 1024...(16 << 20))
        case "typing_timeout": typingTimeout = try Self.number(setting, value, in: 1...600)
        case "realtime_token_ttl": realtimeTokenTTL = try Self.number(setting, value, in: 10...(30 * 86_400))
        case "recovery_limit": recoveryLimit = try Self.number(setting, value, in: 0...100_000)
        case "presence_ttl": presenceTTL = try Self.number(setting, value, in: 5...86_400)
        case "webhook_timeout": webhookTimeout = try Self.number(setting, value, in: 1...300)
        case "webhook_retry_age": webhookRetryAge = try Self.number(setting, value, in: 1...(30 * 86_400))
        case "webhook_retry_base_ms": webhookRetryBaseMilliseconds = try Self.number(setting, value, in: 1...3_600_000)
        case "webhook_retry_max_ms": webhookRetryMaxMilliseconds = try Self.number(setting, value, in: 1...86_400_000)
        case "webhook_concurrency": webhookConcurrency = try Self.number(setting, value, in: 1...256)
        case "faq_confidence":
            guard let confidence = Double(value), confidence > 0, confidence <= 1 else {
                throw Failure.invalidValue(setting: setting, value: value)
            }
            faqConfidence = confidence
        case "waiting_check_interval": waitingCheckInterval = try Self.number(setting, value, in: 1...86_400)
        default: throw Failure.unknownSetting(setting)
        }
    }

    private static func number(_ setting: String, _ value: String, in range: ClosedRange<Int>) throws -> Int {
        guard let number = Int(value), range.contains(number) else { throw Failure.invalidValue(setting: setting, value: value) }
        return number
    }
}
