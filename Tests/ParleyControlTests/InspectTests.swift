import Foundation
import ParleyDomain
import ParleyLog
import Testing

/// `parleyctl inspect` on a small log whose every entry is known.
@Suite("parleyctl inspect")
struct InspectTests {
    @Test("head and tail print the oldest and newest entries, one line each, oldest first")
    func headAndTail() async throws {
        try await withScratch { dir in
            let (_, times) = try await KnownLog.write(at: dir)
            let head = try await ParleyCtl.run(["inspect", "--data", dir, "head"])
            #expect(head.status == 0)
            #expect(head.output == (1...4).map { KnownLog.line($0, times: times) + "\n" }.joined())
            let two = try await ParleyCtl.run(["inspect", "head", "--data", dir, "--limit", "2"])
            #expect(two.output == [1, 2].map { KnownLog.line($0, times: times) + "\n" }.joined())
            let tail = try await ParleyCtl.run(["inspect", "--data", dir, "tail", "--limit", "2"])
            #expect(tail.status == 0)
            #expect(tail.output == [3, 4].map { KnownLog.line($0, times: times) + "\n" }.joined())
        }
    }

    @Test("show prints every field of one entry, or its stored envelope with --json")
    func show() async throws {
        try await withScratch { dir in
            let (epoch, times) = try await KnownLog.write(at: dir)
            let text = try await ParleyCtl.run(["inspect", "--data", dir, "show", "2"])
            #expect(text.status == 0)
            let expected = """
                offset    2
                time      \(KnownLog.time(times[1])) (\(times[1]))
                type      message.created
                version   1
                account   1
                actor     contact:7
                retention durable
                key       m-1
                streams   account:1#2 conversation:1:1#1
                payload
                {
                  "content" : "Hello",
                  "message_id" : 1
                }

                """
            #expect(text.output == expected)

            let json = try await ParleyCtl.run(["inspect", "--data", dir, "show", "3", "--json"])
            let envelope = try json.summary()
            #expect(envelope["offset"] as? Int == 3)
            #expect(envelope["type"] as? String == "conversation.typing_on")
            #expect(envelope["account_id"] as? Int == 1)
            #expect(envelope["occurred_at"] as? UInt64 == times[2])
            #expect(envelope["id"] as? String == EventEnvelope.id(epoch: epoch, offset: 3))
            #expect(envelope["payload"] as? [String: Int] == ["conversation_id": 1])
            let actor = try #require(envelope["actor"] as? [String: Any])
            #expect(actor["type"] as? String == "agent" && actor["id"] as? Int == 3)
            let streams = try #require(envelope["streams"] as? [[String: Any]])
            #expect(streams.count == 1)
            #expect(streams.first?["stream"] as? String == "conversation:1:1")
            #expect(streams.first?["seq"] is NSNull)
        }
    }

    @Test("streams lists names and heads under a prefix; stream pages one stream's entries")
    func streams() async throws {
        try await withScratch { dir in
            let (_, times) = try await KnownLog.write(at: dir)
            let all = try await ParleyCtl.run(["inspect", "--data", dir, "streams", ""])
            #expect(all.output == "account:1 3\naudit:1 1\nconversation:1:1 2\n")
            let limited = try await ParleyCtl.run(["inspect", "--data", dir, "streams", "", "--limit", "2"])
            #expect(limited.output == "account:1 3\naudit:1 1\n")
            let json = try await ParleyCtl.run(["inspect", "--data", dir, "--json", "streams", "conv"])
            #expect(json.output == #"{"head":2,"stream":"conversation:1:1"}"# + "\n")

            let stream = try await ParleyCtl.run(["inspect", "--data", dir, "stream", "conversation:1:1"])
            #expect(stream.output == [2, 4].map { KnownLog.line($0, times: times) + "\n" }.joined())
            let after = try await ParleyCtl.run(["inspect", "--data", dir, "stream", "conversation:1:1", "--after", "1"])
            #expect(after.output == KnownLog.line(4, times: times) + "\n")
            let envelopes = try await ParleyCtl.run(["inspect", "--data", dir, "stream", "account:1", "--limit", "2", "--json"])
            let offsets = try envelopes.output.split(separator: "\n").map { line in
                (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["offset"] as? Int
            }
            #expect(offsets == [1, 2])
        }
    }

    @Test("stats counts entries by type, streams, families and bytes")
    func stats() async throws {
        try await withScratch { dir in
            let (epoch, _) = try await KnownLog.write(at: dir)
            let text = try await ParleyCtl.run(["inspect", "--data", dir, "stats"])
            #expect(text.status == 0)
            var lines = text.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let size = lines.remove(at: 6)
            #expect(size.hasPrefix("size      ") && size.hasSuffix(" bytes)"))
            #expect(
                lines == [
                    "data      \(dir)", "epoch     \(epoch)", "head      4", "events    4 (3 durable, 1 ephemeral)", "streams   3",
                    "families  ephemeral idempotency idempotency_expiry log meta streams", "types",
                    "  account.created         1", "  conversation.typing_on  1", "  message.created         2", "",
                ])

            let json = try await ParleyCtl.run(["inspect", "--data", dir, "stats", "--json"])
            let summary = try json.summary()
            #expect(summary["head"] as? Int == 4)
            #expect(summary["events"] as? Int == 4)
            #expect(summary["ephemeral"] as? Int == 1)
            #expect(summary["streams"] as? Int == 3)
            #expect(summary["epoch"] as? String == epoch)
            #expect(summary["types"] as? [String: Int] == ["account.created": 1, "conversation.typing_on": 1, "message.created": 2])
            #expect((summary["bytes"] as? Int ?? 0) > 0)
        }
    }

    @Test("tail -f prints entries appended while it runs and stops cleanly on SIGINT")
    func follow() async throws {
        try await withScratch { dir in
            let log = try await EventLog.open(at: dir)
            do {
                for entry in KnownLog.entries.prefix(2) { _ = try await log.append([entry]) }
                let follower = try FollowingTool(["inspect", "--data", dir, "tail", "-f", "--limit", "1"])
                let first = try await follower.lines(1)
                #expect(first.count == 1 && first[0].hasPrefix("2 "))
                for entry in KnownLog.entries.suffix(2) { _ = try await log.append([entry]) }
                let all = try await follower.lines(3)
                #expect(all.map { $0.split(separator: " ")[0] } == ["2", "3", "4"])
                #expect(all[2].contains("Hi! How can we help?"))
                let status = try await follower.interrupt()
                #expect(status == 0)
            } catch {
                await log.close()
                throw error
            }
            await log.close()
        }
    }
}
