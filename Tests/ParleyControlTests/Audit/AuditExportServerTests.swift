import Foundation
import NIOPosix
import ParleyControl
import ParleyLoadKit
import Testing

/// `parleyctl export-audit` against a directory a real `parley serve` holds:
/// it reads beside the server and has the server record the export.
@Suite("export-audit with a running server")
struct AuditExportServerTests {
    @Test("exports while the server runs; the server records the export, and audit_logs shows it")
    func exportWhileServing() async throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        try await AuditSeed.seed(scratch.data)
        let server = try await HTTPServerProcess.start(executable: try Executables.path(of: "parley"), dataDirectory: scratch.data)
        do {
            try await exportAndCheck(scratch, server: server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func exportAndCheck(_ scratch: AuditScratch, server: HTTPServerProcess) async throws {
        let out = scratch.path("live.lz4")
        let run = try await ParleyCtl.run([
            "export-audit", "--data", scratch.data, "--account", "1", "--key-file", scratch.key, "--out", out, "--json",
        ])
        #expect(run.status == 0, "\(run.errorOutput)\n\(server.logTail)")
        let summary = try run.summary()
        #expect(summary["recorded_by"] as? String == "server" && uint(summary["records"]) == 9)
        let verified = try await ParleyCtl.run(["verify-audit", out, "--key-file", scratch.key])
        #expect(verified.status == 0, "\(verified.errorOutput)")

        let connection = try await HTTPConnection.connect(host: server.host, port: server.port, group: MultiThreadedEventLoopGroup.singleton)
        let answer = try await connection.request(
            PreparedRequest(method: .GET, path: "/api/v1/accounts/1/audit_logs", host: server.address, token: AuditSeed.adminToken, body: nil))
        await connection.close()
        #expect(answer.status == 200)
        let page = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
        let newest = try #require((page?["audit_logs"] as? [[String: Any]])?.first)
        #expect(newest["action"] as? String == "audit_exported")
        #expect(newest["auditable_type"] as? String == "Account" && uint(newest["auditable_id"]) == 1)
        #expect(uint(newest["id"]) == uint(summary["audit_offset"]))
        #expect(newest["user_id"] is NSNull)
        #expect(uint(page?["total_entries"]) == 10)
    }
}
