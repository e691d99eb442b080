import Foundation
import Synchronization

/// Who is subscribed to each channel, for `presence` and `presence_stats`.
///
/// An entry lives for the presence TTL unless its connection refreshes it
/// (every third of the TTL); a connection that vanishes without closing drops out by
/// itself.
final class PresenceRegistry: Sendable {
    struct Client: Sendable, Equatable {
        var client: String
        var user: String
    }

    private struct Entry {
        var client: Client
        var expires: ContinuousClock.Instant
    }

    private let channels = Mutex<[String: [String: Entry]]>([:])
    private let ttl: Duration

    init(ttl: Duration) {
        self.ttl = ttl
    }

    /// Adds or refreshes `client` in `channel`.
    func mark(_ client: Client, in channel: String, now: ContinuousClock.Instant = .now) {
        channels.withLock { $0[channel, default: [:]][client.client] = Entry(client: client, expires: now + ttl) }
    }

    func remove(client: String, from channel: String) {
        channels.withLock { channels in
            channels[channel]?[client] = nil
            if channels[channel]?.isEmpty == true { channels[channel] = nil }
        }
    }

    /// The live clients of `channel`, expired ones dropped.
    func clients(in channel: String, now: ContinuousClock.Instant = .now) -> [Client] {
        channels.withLock { channels in
            guard let entries = channels[channel] else { return [] }
            let live = entries.filter { $0.value.expires > now }
            channels[channel] = live.isEmpty ? nil : live
            return live.values.map(\.client).sorted { $0.client < $1.client }
        }
    }
}
