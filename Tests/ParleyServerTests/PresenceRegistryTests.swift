import Testing

@testable import ParleyServer

/// Presence entries: listed per channel, refreshed, removed, and expired by their TTL.
@Suite struct PresenceRegistryTests {
    @Test func entriesExpireUnlessRefreshed() {
        let registry = PresenceRegistry(ttl: .seconds(60))
        let start = ContinuousClock.now
        let ada = PresenceRegistry.Client(client: "c1", user: "1")
        let phone = PresenceRegistry.Client(client: "c2", user: "1")
        let bob = PresenceRegistry.Client(client: "c3", user: "2")
        registry.mark(ada, in: "conversation:1:7", now: start)
        registry.mark(phone, in: "conversation:1:7", now: start)
        registry.mark(bob, in: "conversation:1:7", now: start + .seconds(30))
        registry.mark(bob, in: "conversation:1:8", now: start)
        #expect(registry.clients(in: "conversation:1:7", now: start + .seconds(1)) == [ada, phone, bob])
        registry.mark(ada, in: "conversation:1:7", now: start + .seconds(50))
        #expect(registry.clients(in: "conversation:1:7", now: start + .seconds(61)) == [ada, bob])
        registry.remove(client: "c3", from: "conversation:1:7")
        #expect(registry.clients(in: "conversation:1:7", now: start + .seconds(62)) == [ada])
        #expect(registry.clients(in: "conversation:1:7", now: start + .seconds(200)).isEmpty)
        #expect(registry.clients(in: "conversation:1:9").isEmpty)
    }
}
