import Foundation
import ParleyControl
import ParleyLoadKit
import ParleyServer
import Testing

/// The channel `parleyctl` uses to act through a running server.
@Suite("Admin channel")
struct AdminChannelTests {
    @Test("a running server announces itself owner-only, answers its token and nothing else, and withdraws at stop")
    func announcesAndWithdraws() async throws {
        let scratch = try ScratchDirectory(prefix: "parley-admin")
        defer { scratch.remove() }
        let data = scratch.path + "/data"
        let server = try await HTTPServerProcess.start(executable: try Executables.path(of: "parley"), dataDirectory: data)
        do {
            try await checkAnnouncement(of: server, data: data, scratch: scratch)
        } catch {
            await server.stop()
            throw error
        }
    }

    private func checkAnnouncement(of server: HTTPServerProcess, data: String, scratch: ScratchDirectory) async throws {
        let file = data + "/" + AdminChannel.fileName
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let client = try #require(await AdminClient.running(data: data))
        #expect(client.announcement.url == "http://127.0.0.1:\(server.port)")
        let status = try await client.request("GET", "/admin/v1/status")
        #expect(status["epoch"] as? String != nil)
        // A new directory's first event: the automation reactor's start marker.
        #expect(status["head"] as? Int == 1)

        // The same server, announced with another token, lets nobody in.
        let forged = scratch.path + "/forged"
        try FileManager.default.createDirectory(atPath: forged, withIntermediateDirectories: true)
        var announcement = client.announcement
        announcement.token = String(repeating: "0", count: 64)
        try JSONEncoder().encode(announcement).write(to: URL(fileURLWithPath: forged + "/" + AdminChannel.fileName))
        #expect(await AdminClient.running(data: forged) == nil)

        await server.stop()
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(await AdminClient.running(data: data) == nil)
    }

    @Test("an announcement left by a process that is gone finds no server")
    func staleAnnouncement() async throws {
        let scratch = try ScratchDirectory(prefix: "parley-admin")
        defer { scratch.remove() }
        let stale = AdminChannel.Announcement(url: "http://127.0.0.1:9", token: "x", pid: Int32.max - 1)
        try JSONEncoder().encode(stale).write(to: URL(fileURLWithPath: scratch.path + "/" + AdminChannel.fileName))
        #expect(await AdminClient.running(data: scratch.path) == nil)
    }
}
