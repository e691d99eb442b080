import Foundation
import ParleyLoadKit
import Testing

/// The WebSocket client reads the server's frames without decoding them
/// whole: each object of a batch is told apart, and a publication yields its
/// stream offset and message id, not the envelope's.
@Suite("Centrifugo frames")
struct CentrifugeFrameTests {
    static func messages(_ text: String) -> [CentrifugeMessage] {
        CentrifugeFrame.messages(in: Array(text.utf8))
    }

    static let envelope = """
        {"offset":907,"id":"0000-1","type":"message.created","version":1,"account_id":1,\
        "streams":[{"stream":"conversation:1:3","seq":41}],"actor":{"type":"agent","id":1},"occurred_at":1,\
        "idempotency_key":null,"correlation_id":null,"payload":{"message_id":77,"conversation_id":3,\
        "content":"a } ] \\" {\\n \\"offset\\":5 tricky one","private":false,"attachments":[]}}
        """

    @Test("a batch of a reply, a ping and a publication, one object a line")
    func batch() {
        let frame = """
            {"id":1,"connect":{"client":"c1","version":"1","ping":25,"pong":true}}
            {}
            {"push":{"channel":"conversation:1:3","pub":{"data":\(Self.envelope),"offset":41}}}

            """
        var connected = CentrifugeReply(id: 1)
        connected.pong = true
        #expect(Self.messages(frame) == [.reply(connected), .ping, .publication(CentrifugePublication(offset: 41, messageID: 77))])
    }

    @Test("the publication's offset wins over the envelope's, whichever comes first")
    func offsetOrder() {
        let frame = """
            {"push":{"pub":{"offset":42,"data":\(Self.envelope)},"channel":"conversation:1:3"}}
            """
        #expect(Self.messages(frame) == [.publication(CentrifugePublication(offset: 42, messageID: 77))])
    }

    @Test("a publication without a message carries its offset alone")
    func nonMessage() {
        let frame = #"{"push":{"channel":"account:1","pub":{"data":{"type":"conversation.read","payload":{"conversation_id":3}},"offset":9}}}"#
        #expect(Self.messages(frame) == [.publication(CentrifugePublication(offset: 9, messageID: nil))])
    }

    @Test("a recovering subscribe's result: position, recovered, and its publications")
    func subscribeResult() {
        let frame = """
            {"id":2,"subscribe":{"recoverable":true,"epoch":"a1b2","offset":43,"recovered":true,\
            "publications":[{"data":\(Self.envelope),"offset":42},{"data":{"payload":{"message_id":78}},"offset":43}]}}
            """
        var reply = CentrifugeReply(id: 2)
        reply.epoch = "a1b2"
        reply.offset = 43
        reply.recovered = true
        reply.publications = [CentrifugePublication(offset: 42, messageID: 77), CentrifugePublication(offset: 43, messageID: 78)]
        #expect(Self.messages(frame) == [.reply(reply)])
    }

    @Test("a history page and an empty one")
    func history() {
        let frame = """
            {"id":5,"history":{"publications":[{"data":{"payload":{"message_id":1}},"offset":1001}],"epoch":"e","offset":1200}}
            {"id":6,"history":{"epoch":"e","offset":1200}}
            """
        var page = CentrifugeReply(id: 5)
        page.epoch = "e"
        page.offset = 1200
        page.publications = [CentrifugePublication(offset: 1001, messageID: 1)]
        var empty = CentrifugeReply(id: 6)
        empty.epoch = "e"
        empty.offset = 1200
        #expect(Self.messages(frame) == [.reply(page), .reply(empty)])
    }

    @Test("`pong` is read from connect only")
    func pongOnlyFromConnect() {
        #expect(Self.messages(#"{"id":3,"subscribe":{"pong":true}}"#) == [.reply(CentrifugeReply(id: 3))])
    }

    @Test("an error reply and a disconnect push")
    func errors() {
        let frame = """
            {"id":4,"error":{"code":103,"message":"permission denied"}}
            {"push":{"disconnect":{"code":3008,"reason":"slow"}}}
            """
        var refused = CentrifugeReply(id: 4)
        refused.errorCode = 103
        refused.errorMessage = "permission denied"
        #expect(Self.messages(frame) == [.reply(refused), .disconnect(code: 3008, reason: "slow")])
    }

    @Test("whitespace is allowed around tokens; joins and other pushes are told apart from publications")
    func spacing() {
        let frame = """
             { "id" : 7 , "subscribe" : { "offset" : 12 } }\r
            {"push":{"channel":"account:1","join":{"info":{"user":"1","client":"c"}}}}
            """
        var reply = CentrifugeReply(id: 7)
        reply.offset = 12
        #expect(Self.messages(frame) == [.reply(reply), .other])
    }

    @Test("cut short or broken objects are malformed, never a crash")
    func malformed() {
        let lines = [
            #"{"id":1,"connect":{"client":"c""#, #"{"push":{"pub":{"data":{},"offset":"x"}}}"#, #"{"id":1 "x":2}"#, "[1,2]", #"{"a":}"#,
            #"{"a":"unterminated}"#, "{", "}", #"{"push":{"pub":{"offset":99999999999999999999999}}}"#,
        ]
        for line in lines {
            #expect(Self.messages(line) == [.malformed], "\(line)")
        }
    }

    @Test("mutated frames never crash the reader")
    func mutations() {
        let frame = Array("""
            {"id":2,"subscribe":{"epoch":"a1b2","offset":43,"recovered":true,"publications":[{"data":\(Self.envelope),"offset":42}]}}
            {"push":{"channel":"conversation:1:3","pub":{"data":\(Self.envelope),"offset":41}}}
            """.utf8)
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]",:\ 0123456789"#.utf8)
        for _ in 0..<2000 {
            var mutated = frame
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<mutated.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: mutated[index] = alphabet.randomElement(using: &generator)!
                case 1: mutated.remove(at: index)
                default: mutated = Array(mutated[..<index])
                }
                if mutated.isEmpty { break }
            }
            _ = CentrifugeFrame.messages(in: mutated)
        }
    }
}

/// `ws` and `ws-catchup` run end to end against the real `parley` built
/// beside `parley-load`: nothing lost, nothing twice.
@Suite("parley-load WebSocket benchmarks", .serialized)
struct WebSocketBenchmarkTests {
    @Test("`ws --json` delivers every message to every subscriber once, and leaves no server behind")
    func fanout() async throws {
        let before = Self.parleyServers()
        let report = try await HTTPBenchmarkTests.report([
            "ws", "--connections", "12", "--channels", "3", "--rate", "20", "--duration", "1", "--json",
        ])
        for key in [
            "connections", "channels", "rate", "sent", "delivered", "lost", "duplicated", "p50_ms", "p99_ms", "rss_kib_per_connection",
            "connect_seconds",
        ] {
            #expect(report[key] != nil, "no \(key) in \(report)")
        }
        let sent = try #require(report["sent"] as? Int)
        #expect(sent == 20)
        #expect(report["connections"] as? Int == 12)
        #expect(report["channels"] as? Int == 3)
        #expect(report["lost"] as? Int == 0)
        #expect(report["duplicated"] as? Int == 0)
        #expect(report["misrouted"] as? Int == 0)
        #expect(report["out_of_sequence"] as? Int == 0)
        #expect(report["disconnected"] as? Int == 0)
        #expect(report["malformed"] as? Int == 0)
        #expect(report["errors"] as? Int == 0)
        // 12 connections on 3 conversations: 4 subscribers each.
        #expect(report["delivered"] as? Int == sent * 4)
        #expect(Self.parleyServers().subtracting(before).isEmpty)
    }

    /// 250 missed publications come back in the recovering subscribe's reply;
    /// 1,200 are more than the server recovers at once (recovery_limit,
    /// 1,000 by default), so they are paged through history, 500 a page.
    @Test("`ws-catchup --json` gets every missed message back after reconnecting", arguments: [(250, false), (1200, true)])
    func catchup(missed: Int, paged: Bool) async throws {
        let report = try await HTTPBenchmarkTests.report(["ws-catchup", "--missed", "\(missed)", "--page", "500", "--json"])
        for key in ["missed", "received", "lost", "duplicated", "catchup_ms"] {
            #expect(report[key] != nil, "no \(key) in \(report)")
        }
        #expect(report["missed"] as? Int == missed)
        #expect(report["received"] as? Int == missed)
        #expect(report["lost"] as? Int == 0)
        #expect(report["duplicated"] as? Int == 0)
        #expect(report["out_of_sequence"] as? Int == 0)
        #expect(report["malformed"] as? Int == 0)
        #expect(report["recovered"] as? Bool == !paged)
        #expect(report["history_pages"] as? Int == (paged ? 3 : 0))
    }

    @Test("nonsense arguments are refused before anything starts", arguments: [
        ["ws", "--connections", "0"], ["ws", "--connections", "2", "--channels", "3"], ["ws", "--rate", "-1"],
        ["ws", "--duration", "0"], ["ws", "--channels", "1", "--rate", "1000", "--duration", "10"],
        ["ws-catchup", "--missed", "0"], ["ws-catchup", "--page", "0"],
    ])
    func validation(arguments: [String]) async throws {
        let (status, output) = try await ParleyLoadBinary.run(arguments + ["--json"])
        #expect(status == 64, "exit \(status) for \(arguments)")
        #expect(output.isEmpty)
    }

    /// Pids of running `parley serve` processes started by a WebSocket benchmark.
    static func parleyServers() -> Set<Int32> {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return Set(entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.contains("serve") && arguments.contains { $0.contains("parley-load-ws") } ? pid : nil
        })
    }
}
