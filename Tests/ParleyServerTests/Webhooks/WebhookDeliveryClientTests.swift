import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing

@testable import ParleyServer

@Suite struct WebhookEndpointTests {
    @Test(arguments: [
        ("http://hooks.example.com/in?x=1", false, "hooks.example.com", 80, "/in?x=1", "hooks.example.com"),
        ("https://hooks.example.com", true, "hooks.example.com", 443, "/", "hooks.example.com"),
        ("HTTPS://Example.com:8443/a%20b", true, "Example.com", 8443, "/a%20b", "Example.com:8443"),
        ("http://127.0.0.1:9000/hook", false, "127.0.0.1", 9000, "/hook", "127.0.0.1:9000"),
        ("http://[::1]:9000/hook", false, "::1", 9000, "/hook", "[::1]:9000"),
    ])
    func aURLIsParsedIntoWhereToConnectAndWhatToSend(
        url: String, secure: Bool, host: String, port: Int, target: String, authority: String
    ) throws {
        let endpoint = try WebhookEndpoint(url: url)
        #expect(endpoint.secure == secure)
        #expect(endpoint.host == host)
        #expect(endpoint.port == port)
        #expect(endpoint.target == target)
        #expect(endpoint.authority == authority)
        let head = endpoint.head(contentLength: 12)
        #expect(head.method == .POST && head.uri == target)
        #expect(head.headers["Host"] == [authority] && head.headers["Content-Length"] == ["12"])
    }

    @Test(arguments: ["ftp://example.com/x", "http://", "example.com/hook", "http://example.com:0/", "http://exa%0Dmple.com/"])
    func aURLThatCannotBeSentToIsRefusedWithAReason(url: String) {
        #expect(throws: WebhookEndpointError.self) { try WebhookEndpoint(url: url) }
    }
}

@Suite struct WebhookDeliveryClientTests {
    private func payload(_ n: Int) -> WebhookPayload {
        WebhookPayload(
            offset: UInt64(n), appendedAt: 0, event: "message_created", orderKey: UInt64(n),
            body: Array(#"{"event":"message_created","id":\#(n)}"#.utf8))
    }

    private func send(
        _ payload: WebhookPayload, _ poster: WebhookPoster, _ pool: Result<WebhookConnectionPool, WebhookEndpointError>
    ) async -> WebhookPoster.Outcome {
        await withCheckedContinuation { done in
            poster.post(payload, to: pool, secret: "s3cret", deliveryID: "d-\(payload.offset)") { done.resume(returning: $0) }
        }
    }

    private func poster(timeout: TimeAmount = .seconds(5), connections: Int = 4, tls: TLSConfiguration = .makeClientConfiguration())
        -> WebhookPoster
    {
        WebhookPoster(group: MultiThreadedEventLoopGroup.singleton, timeout: timeout, connections: connections, tls: tls)
    }

    @Test func deliveriesShareKeepAliveConnectionsUpToTheLimit() async throws {
        let endpoint = try await TestEndpoint.start(.answer)
        let poster = poster(connections: 3)
        let pool = poster.pool(for: "http://127.0.0.1:\(endpoint.port)/hook?k=v")
        let outcomes = await withTaskGroup(of: WebhookPoster.Outcome.self) { group in
            for n in 1...30 { group.addTask { await send(payload(n), poster, pool) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes == Array(repeating: .delivered, count: 30))
        for n in 31...35 { #expect(await send(payload(n), poster, pool) == .delivered) }
        let seen = endpoint.seen.withLock { $0 }
        #expect((1...3).contains(seen.connections))
        #expect(seen.requests.count == 35)
        let first = try #require(seen.requests.first { $0.head.headers["X-Chatwoot-Delivery"] == ["d-31"] })
        #expect(first.head.uri == "/hook?k=v" && first.head.method == .POST)
        #expect(first.head.headers["Host"] == ["127.0.0.1:\(endpoint.port)"])
        #expect(first.head.headers["X-Chatwoot-Event"] == ["message_created"])
        #expect(first.head.headers["Content-Type"] == ["application/json"])
        #expect(first.body == payload(31).body)
        let timestamp = try #require(first.head.headers["X-Chatwoot-Timestamp"].first.flatMap { UInt64($0) })
        let signature = WebhookSigning.signature(secret: "s3cret", timestamp: timestamp, body: payload(31).body)
        #expect(first.head.headers["X-Chatwoot-Signature"] == [signature])
        try await pool.get().shutDown().get()
        try await endpoint.stop()
    }

    @Test func aConnectionTheEndpointClosesIsReplacedForTheNextDelivery() async throws {
        let endpoint = try await TestEndpoint.start(.answerAndClose)
        let poster = poster(connections: 1)
        let pool = poster.pool(for: "http://127.0.0.1:\(endpoint.port)/")
        for n in 1...4 { #expect(await send(payload(n), poster, pool) == .delivered) }
        #expect(endpoint.seen.withLock { ($0.connections, $0.requests.count) } == (4, 4))
        try await pool.get().shutDown().get()
        try await endpoint.stop()
    }

    @Test func anEndpointThatNeverAnswersTimesOut() async throws {
        let endpoint = try await TestEndpoint.start(.silent)
        let poster = poster(timeout: .milliseconds(300), connections: 1)
        let pool = poster.pool(for: "http://127.0.0.1:\(endpoint.port)/")
        #expect(await send(payload(1), poster, pool) == .failed("timed out after 300 ms"))
        // The timed-out connection is closed; the next delivery opens another.
        #expect(await send(payload(2), poster, pool) == .failed("timed out after 300 ms"))
        #expect(endpoint.seen.withLock { ($0.connections, $0.requests.count) } == (2, 2))
        try await pool.get().shutDown().get()
        try await endpoint.stop()
    }

    @Test func aRefusedConnectionFailsWithTheReason() async throws {
        let endpoint = try await TestEndpoint.start(.answer)
        let port = endpoint.port
        try await endpoint.stop()
        let poster = poster()
        let outcome = await send(payload(1), poster, poster.pool(for: "http://127.0.0.1:\(port)/"))
        guard case .failed(let reason) = outcome else { Issue.record("delivered to a closed port"); return }
        #expect(reason.contains("Connection refused"))
    }

    @Test func httpsDeliveriesGoOnlyToAnEndpointWhoseCertificateIsTrusted() async throws {
        let endpoint = try await TestEndpoint.start(.answer, tls: true)
        let url = "https://localhost:\(endpoint.port)/secure"
        let trusting = poster(tls: try TestEndpoint.trustingClientTLS())
        let trustingPool = trusting.pool(for: url)
        #expect(await send(payload(1), trusting, trustingPool) == .delivered)
        let seen = endpoint.seen.withLock { $0.requests }
        #expect(seen.map(\.head.uri) == ["/secure"] && seen.first?.body == payload(1).body)

        let systemRoots = poster()
        let untrusted = await send(payload(2), systemRoots, systemRoots.pool(for: url))
        guard case .failed(let reason) = untrusted else { Issue.record("delivered to an untrusted certificate"); return }
        #expect(reason.lowercased().contains("certificate"))
        #expect(endpoint.seen.withLock { $0.requests.count } == 1)
        try await trustingPool.get().shutDown().get()
        try await endpoint.stop()
    }

    @Test func aStoppedPoolFailsEveryDeliveryAtOnce() async throws {
        let endpoint = try await TestEndpoint.start(.silent)
        let poster = poster(connections: 1)
        let pool = poster.pool(for: "http://127.0.0.1:\(endpoint.port)/")
        async let underWay = send(payload(1), poster, pool)
        async let waiting = send(payload(2), poster, pool)
        while endpoint.seen.withLock({ $0.requests.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
        try await pool.get().shutDown().get()
        let outcomes = await [underWay, waiting]
        #expect(outcomes == [.failed("the webhook stopped"), .failed("the webhook stopped")])
        #expect(await send(payload(3), poster, pool) == .failed("the webhook stopped"))
        try await endpoint.stop()
    }
}
