import Foundation
import NIOPosix
import ParleyServer
import Testing

@testable import ParleyLoadKit

/// `parleyctl backup` and `restore`, against a server taking writes and offline.
@Suite("parleyctl backup and restore")
struct BackupRestoreTests {
    @Test("a backup taken while the server takes writes restores every acknowledged message, with a new epoch; old tokens still work")
    func liveBackupAndRestore() async throws {
        try await withScratch("parleyctl-backup") { dir in
            let (data, backup, restored) = (dir + "/data", dir + "/backup", dir + "/restored")
            let group = MultiThreadedEventLoopGroup.singleton
            let live = try await LiveServer.start(data: data, group: group, conversations: 8)
            let workspace = live.workspace
            let original: (epoch: String, realtimeToken: String, acknowledgedBefore: [String], summary: [String: Any])
            do {
                let realtimeToken = try await workspace.realtimeToken(over: live.connection, host: live.server.address)
                let epoch = try #require(try await ParleyCtl.run(["inspect", "--data", data, "stats", "--json"]).summary()["epoch"] as? String)
                let acknowledged = Acknowledged()
                // A poster on its own connection, at most 100 messages a conversation (the limit is 200 a minute).
                let posterConnection = try await HTTPConnection.connect(host: live.server.host, port: live.server.port, group: group)
                let poster = LiveServer(server: live.server, connection: posterConnection, workspace: workspace)
                let posting = Task {
                    for n in 0..<(100 * workspace.conversationIDs.count) where !acknowledged.stop.load(ordering: .relaxed) {
                        let content = "live-\(n)"
                        try await poster.post(content, conversation: workspace.conversationIDs[n % workspace.conversationIDs.count])
                        acknowledged.add(content)
                    }
                }
                try await acknowledged.wait(for: 40)
                let before = acknowledged.snapshot
                let run = try await ParleyCtl.run(["backup", "--data", data, "--out", backup, "--json"])
                #expect(run.status == 0, "\(run.errorOutput)")
                let during = acknowledged.snapshot.count
                try await acknowledged.wait(for: during + 10)
                acknowledged.stop.store(true, ordering: .relaxed)
                try await posting.value
                original = (epoch, realtimeToken, before, try run.summary())
            } catch {
                await live.server.stop()
                throw error
            }
            await live.server.stop()

            #expect(original.summary["online"] as? Bool == true)
            #expect(original.summary["epoch"] as? String == original.epoch)
            #expect(original.summary["path"] as? String == backup)
            #expect((original.summary["head"] as? Int ?? 0) > original.acknowledgedBefore.count)
            #expect(FileManager.default.fileExists(atPath: backup + "/" + DataBackup.markerFileName))
            #expect(FileManager.default.fileExists(atPath: backup + "/" + ServerSecrets.fileName))
            #expect(!FileManager.default.fileExists(atPath: backup + "/" + AdminChannel.fileName))

            let restore = try await ParleyCtl.run(["restore", "--from", backup, "--data", restored, "--json"])
            #expect(restore.status == 0, "\(restore.errorOutput)")
            let summary = try restore.summary()
            let newEpoch = try #require(summary["epoch"] as? String)
            #expect(newEpoch != original.epoch)
            #expect(summary["previous_epoch"] as? String == original.epoch)
            #expect(summary["head"] as? Int == original.summary["head"] as? Int)
            #expect(!FileManager.default.fileExists(atPath: restored + "/" + DataBackup.markerFileName))

            let parley = try Executables.path(of: "parley")
            let server = try await HTTPServerProcess.start(executable: parley, dataDirectory: restored)
            do {
                let connection = try await HTTPConnection.connect(host: server.host, port: server.port, group: group)
                let again = LiveServer(server: server, connection: connection, workspace: workspace)
                // The administrator's access token from before the backup reads every message acknowledged before it.
                let (epoch, contents) = try await messageContents(
                    on: again, token: workspace.accessToken, account: workspace.accountID,
                    stream: "account:\(workspace.accountID)")
                #expect(epoch == newEpoch)
                #expect(Set(original.acknowledgedBefore).isSubset(of: Set(contents)))

                // The realtime token from before connects, and a position of the old epoch is not recovered.
                let socket = try await CentrifugeConnection.open(host: server.host, port: server.port, group: group)
                try await socket.connect(token: original.realtimeToken)
                let reply = try await socket.command(
                    #""subscribe":{"channel":"account:\#(workspace.accountID)","recover":true,"epoch":"\#(original.epoch)","offset":1}"#)
                #expect(reply.recovered == false)
                #expect(reply.epoch == newEpoch)
                await socket.close()
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    @Test("offline: backup opens the directory itself; restore gives the same entries under a new epoch")
    func offlineBackupAndRestore() async throws {
        try await withScratch { dir in
            let (data, backup, restored) = (dir + "/data", dir + "/backup", dir + "/restored")
            let (epoch, times) = try await KnownLog.write(at: data)
            let run = try await ParleyCtl.run(["backup", "--data", data, "--out", backup])
            #expect(run.status == 0, "\(run.errorOutput)")
            #expect(run.output.hasPrefix("backed up to \(backup): head 4, epoch \(epoch), "))
            #expect(run.output.hasSuffix(" (offline)\n"))

            try FileManager.default.createDirectory(atPath: restored, withIntermediateDirectories: false)
            let restore = try await ParleyCtl.run(["restore", "--from", backup, "--data", restored, "--json"])
            #expect(restore.status == 0, "\(restore.errorOutput)")
            let summary = try restore.summary()
            #expect(summary["previous_epoch"] as? String == epoch)
            #expect(summary["head"] as? Int == 4)
            let stats = try await ParleyCtl.run(["inspect", "--data", restored, "stats", "--json"]).summary()
            #expect(stats["epoch"] as? String == summary["epoch"] as? String)
            #expect(stats["epoch"] as? String != epoch)
            let head = try await ParleyCtl.run(["inspect", "--data", restored, "head"])
            #expect(head.output == (1...4).map { KnownLog.line($0, times: times) + "\n" }.joined())
            // The original is untouched and still has its epoch.
            let source = try await ParleyCtl.run(["inspect", "--data", data, "stats", "--json"]).summary()
            #expect(source["epoch"] as? String == epoch)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["backup", "data", "restored"])
        }
    }
}
