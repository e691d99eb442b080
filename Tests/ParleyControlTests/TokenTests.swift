import Foundation
import NIOPosix
import ParleyLoadKit
import Testing

/// `parleyctl token`: offline from the directory, and through a running server.
@Suite("parleyctl token")
struct TokenTests {
    @Test("a token issued offline connects to a real server's WebSocket; a running server issues one too")
    func offlineAndOnline() async throws {
        try await withScratch { dir in
            try await LedgerLog.write(at: dir)
            let started = UInt64(Date().timeIntervalSince1970)
            let offline = try await ParleyCtl.run(["token", "--data", dir, "--account", "1", "--user", "1", "--ttl", "600", "--json"])
            #expect(offline.status == 0, "\(offline.errorOutput)")
            let issued = try offline.summary()
            let token = try #require(issued["token"] as? String)
            #expect(issued["channels"] as? [String] == ["user:1", "account:1", "inbox:1:1"])
            let expiresAt = try #require(issued["expires_at"] as? UInt64)
            #expect(expiresAt >= started + 600 && expiresAt <= UInt64(Date().timeIntervalSince1970) + 600)
            let plain = try await ParleyCtl.run(["token", "--data", dir, "--account", "1", "--user", "1"])
            #expect(plain.output.split(separator: ".").count == 3 && plain.output.hasSuffix("\n"))

            let group = MultiThreadedEventLoopGroup.singleton
            let server = try await HTTPServerProcess.start(executable: try Executables.path(of: "parley"), dataDirectory: dir)
            do {
                let socket = try await CentrifugeConnection.open(host: server.host, port: server.port, group: group)
                try await socket.connect(token: token)
                try await socket.command(#""subscribe":{"channel":"account:1"}"#)
                await socket.close()

                let online = try await ParleyCtl.run(["token", "--data", dir, "--account", "1", "--user", "1", "--json"])
                #expect(online.status == 0, "\(online.errorOutput)")
                let onlineToken = try #require(try online.summary()["token"] as? String)
                let second = try await CentrifugeConnection.open(host: server.host, port: server.port, group: group)
                try await second.connect(token: onlineToken)
                await second.close()

                let refused = try await ParleyCtl.run(["token", "--data", dir, "--account", "1", "--user", "2"])
                #expect(refused.status != 0)
                #expect(refused.errorOutput.contains("user 2 is not a member of account 1"))
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }
}
