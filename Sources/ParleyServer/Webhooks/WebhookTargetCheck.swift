import Foundation

/// Refuses webhook URLs that point at this server: a webhook posting to
/// Parley's own port would feed deliveries back into the server that makes
/// them. Loopback names and addresses, the unspecified address and the
/// configured host count as this machine.
enum WebhookTargetCheck {
    static func pointsAtServer(_ url: URL, host serverHost: String, port serverPort: Int) -> Bool {
        guard let host = url.host?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")), serverPort > 0 else {
            return false
        }
        let port = url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
        guard port == serverPort else { return false }
        let local = ["localhost", "::1", "0.0.0.0", "::", serverHost.lowercased()]
        return local.contains(host) || host.hasSuffix(".localhost") || host.hasPrefix("127.")
    }
}

extension ParleyAPI {
    /// The port the server listens on; the configured one until it listens.
    var listeningPort: Int {
        let bound = webhooks.boundPort.load(ordering: .acquiring)
        return bound > 0 ? bound : configuration.port
    }
}
