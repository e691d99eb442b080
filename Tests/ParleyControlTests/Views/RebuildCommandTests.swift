import Foundation
import NIOHTTP1
import ParleyControl
import ParleyLoadKit
import Synchronization
import Testing

/// `parleyctl rebuild`, offline and against a running server.
@Suite("parleyctl rebuild")
struct RebuildCommandTests {
    @Test("offline: --verify names a damaged projection and changes nothing; rebuild repairs it")
    func offlineVerifyAndRepair() async throws {
        let scratch = try ScratchDirectory(prefix: "parley-rebuild")
        defer { scratch.remove() }
        let data = scratch.path + "/data"
        let server = try await HTTPServerProcess.start(executable: try Executables.path(of: "parley"), dataDirectory: data)
        _ = try await ChatHistory.make(on: server, conversations: 6)
        await server.stop()

        let clean = try await ParleyCtl.run(["rebuild", "--data", data, "--verify", "--json"])
        #expect(clean.status == 0, "\(clean.errorOutput)")
        let cleanSummary = try clean.summary()
        #expect(cleanSummary["differing"] as? [String] == [])
        #expect(cleanSummary["swapped"] as? Bool == false)
        #expect(cleanSummary["server"] as? Bool == false)
        #expect((integer(cleanSummary, "events") ?? 0) > 30)
        #expect(cleanSummary["events_per_s"] is NSNumber)
        #expect(Set((cleanSummary["projections"] as? [String: Any])?.keys ?? [:].keys) == ["analytics", "audit", "automation", "conversations", "directory", "unread"])

        try await damageAnalyticsCheckpoint(in: data)
        let damaged = try await ledgerCheckpoint(in: data)
        let verify = try await ParleyCtl.run(["rebuild", "--data", data, "--verify"])
        #expect(verify.status == 1)
        #expect(verify.errorOutput == "projections differ from the log: analytics\n")
        #expect(verify.output.contains("analytics: DIFFERS from the log"))
        #expect(verify.output.contains("conversations: matches the log"))
        #expect(try await ledgerCheckpoint(in: data) == damaged)

        let one = try await ParleyCtl.run(["rebuild", "--data", data, "--projection", "unread", "--verify", "--json"])
        #expect(one.status == 0, "\(one.errorOutput)")
        #expect(Array(((try one.summary())["projections"] as? [String: Any] ?? [:]).keys) == ["unread"])

        let rebuild = try await ParleyCtl.run(["rebuild", "--data", data, "--projection", "analytics", "--json"])
        #expect(rebuild.status == 0, "\(rebuild.errorOutput)")
        let summary = try rebuild.summary()
        // Offline, the views a rebuild replaces are not loaded: no comparison.
        #expect(summary["differing"] == nil)
        #expect(summary["swapped"] as? Bool == true)
        let analytics = try #require((summary["projections"] as? [String: Any])?["analytics"] as? [String: Any])
        #expect(analytics.isEmpty)
        #expect(try await ledgerCheckpoint(in: data) != damaged)

        let after = try await ParleyCtl.run(["rebuild", "--data", data, "--verify"])
        #expect(after.status == 0, "\(after.output)\(after.errorOutput)")
    }

    @Test("against a running server: a damaged projection is named by --verify and repaired, and HTTP shows the right numbers")
    func serverVerifyAndRepair() async throws {
        let scratch = try ScratchDirectory(prefix: "parley-rebuild")
        defer { scratch.remove() }
        let data = scratch.path + "/data"
        let first = try await HTTPServerProcess.start(executable: try Executables.path(of: "parley"), dataDirectory: data)
        let history = try await ChatHistory.make(on: first, conversations: 6)
        await first.stop()
        try await damageAnalyticsCheckpoint(in: data)

        let server = try await HTTPServerProcess.start(executable: try Executables.path(of: "parley"), dataDirectory: data)
        let client = try await TestClient.connect(to: server)
        func conversationsCount() async throws -> Int? {
            let now = UInt64(Date().timeIntervalSince1970)
            let path = "/api/v2/accounts/\(history.workspace.accountID)/reports/summary?type=account&since=\(now - 86_400)&until=\(now + 60)"
            let summary = try await client.call(.GET, path, token: history.workspace.accessToken) as? [String: Any]
            return (summary?["conversations_count"] as? NSNumber)?.intValue
        }
        do {
            #expect(try await conversationsCount() == 0)

            let verify = try await ParleyCtl.run(["rebuild", "--data", data, "--verify", "--json"])
            #expect(verify.status == 1)
            #expect(verify.errorOutput == "projections differ from the log: analytics\n")
            let verifySummary = try verify.summary()
            #expect(verifySummary["server"] as? Bool == true)
            #expect(verifySummary["differing"] as? [String] == ["analytics"])
            #expect(try await conversationsCount() == 0)

            let rebuild = try await ParleyCtl.run(["rebuild", "--data", data, "--json"])
            #expect(rebuild.status == 0, "\(rebuild.errorOutput)")
            let summary = try rebuild.summary()
            #expect(summary["server"] as? Bool == true)
            #expect(summary["swapped"] as? Bool == true)
            #expect(summary["differing"] as? [String] == ["analytics"])
            #expect(try await conversationsCount() == 6)

            let after = try await ParleyCtl.run(["rebuild", "--data", data, "--verify"])
            #expect(after.status == 0, "\(after.output)\(after.errorOutput)")
        } catch {
            await client.close()
            await server.stop()
            throw error
        }
        await client.close()
        // Killed, the server writes no checkpoint of its own: the rebuild's
        // fresh one is what a restart starts from, not the damaged one.
        let pid = try #require(await AdminClient.running(data: data)).announcement.pid
        kill(pid, SIGKILL)
        await server.stop()
        let verifyOffline = try await ParleyCtl.run(["rebuild", "--data", data, "--verify"])
        #expect(verifyOffline.status == 0, "\(verifyOffline.output)\(verifyOffline.errorOutput)")
    }

    @Test("against a running server under concurrent writes: the live projections end equal to a fresh fold of the whole log")
    func serverRebuildUnderWrites() async throws {
        let scratch = try ScratchDirectory(prefix: "parley-rebuild")
        defer { scratch.remove() }
        let data = scratch.path + "/data"
        let server = try await HTTPServerProcess.start(executable: try Executables.path(of: "parley"), dataDirectory: data)
        do {
            let history = try await ChatHistory.make(on: server, conversations: 12)
            let workspace = history.workspace
            let stop = Shared(false)
            let written = Shared(0)
            let summaries = try await withThrowingTaskGroup(of: [[String: any Sendable]].self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        let client = try await TestClient.connect(to: server)
                        var n = 0
                        while !stop.value {
                            let conversation = workspace.conversationIDs[(writer + n * 4) % workspace.conversationIDs.count]
                            try await client.call(
                                .POST, "/api/v1/accounts/\(workspace.accountID)/conversations/\(conversation)/messages",
                                token: workspace.accessToken, ["content": "during the rebuild \(writer).\(n)", "message_type": n % 2 == 0 ? "incoming" : "outgoing"])
                            written.update { $0 += 1 }
                            n += 1
                        }
                        await client.close()
                        return []
                    }
                }
                var summaries: [[String: any Sendable]] = []
                for _ in 0..<3 {
                    let before = written.value
                    while written.value < before + 20 { try await Task.sleep(for: .milliseconds(5)) }
                    let rebuild = try await ParleyCtl.run(["rebuild", "--data", data, "--json"])
                    #expect(rebuild.status == 0, "\(rebuild.errorOutput)")
                    let summary = try rebuild.summary()
                    summaries.append(["server": summary["server"] as? Bool ?? false, "events": integer(summary, "events") ?? 0])
                }
                stop.update { $0 = true }
                for try await _ in group {}
                return summaries
            }
            #expect(summaries.allSatisfy { $0["server"] as? Bool == true })
            #expect(written.value > 60)
            let verify = try await ParleyCtl.run(["rebuild", "--data", data, "--verify", "--json"])
            #expect(verify.status == 0, "\(verify.output)\(verify.errorOutput)")
            #expect(try verify.summary()["differing"] as? [String] == [])
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        let offline = try await ParleyCtl.run(["rebuild", "--data", data, "--verify"])
        #expect(offline.status == 0, "\(offline.output)\(offline.errorOutput)")
    }

    @Test("bad input: one line naming the problem, a non-zero exit, nothing changed")
    func badInput() async throws {
        let scratch = try ScratchDirectory(prefix: "parley-rebuild")
        defer { scratch.remove() }
        let data = scratch.path + "/data"
        let server = try await HTTPServerProcess.start(executable: try Executables.path(of: "parley"), dataDirectory: data)
        _ = try await ChatHistory.make(on: server, conversations: 2)
        let unknownLive = try await ParleyCtl.run(["rebuild", "--data", data, "--projection", "reports"])
        await server.stop()
        #expect(unknownLive.status != 0)
        #expect(unknownLive.errorOutput.contains("unknown projection \"reports\""))
        #expect(unknownLive.errorOutput.split(separator: "\n").count == 1)

        let checkpoint = try await ledgerCheckpoint(in: data)
        let unknown = try await ParleyCtl.run(["rebuild", "--data", data, "--projection", "reports"])
        #expect(unknown.status != 0)
        #expect(unknown.errorOutput.split(separator: "\n").count == 1)
        #expect(unknown.errorOutput.contains("unknown projection \"reports\"; choose one of all, conversations, unread, analytics, audit, directory, automation"))
        #expect(try await ledgerCheckpoint(in: data) == checkpoint)

        let missing = scratch.path + "/missing"
        let absent = try await ParleyCtl.run(["rebuild", "--data", missing])
        #expect(absent.status != 0)
        #expect(absent.errorOutput.contains("data directory \(missing) does not exist"))
        #expect(!FileManager.default.fileExists(atPath: missing))

        let stranger = scratch.path + "/stranger"
        try FileManager.default.createDirectory(atPath: stranger, withIntermediateDirectories: true)
        try Data("not a log".utf8).write(to: URL(fileURLWithPath: stranger + "/notes.txt"))
        let notALog = try await ParleyCtl.run(["rebuild", "--data", stranger, "--verify"])
        #expect(notALog.status != 0)
        #expect(notALog.errorOutput.contains("holds no Parley log"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: stranger) == ["notes.txt"])
    }
}
