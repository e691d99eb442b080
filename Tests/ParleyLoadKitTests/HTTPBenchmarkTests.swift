import Foundation
import Testing

/// The HTTP benchmarks run end to end against the real `parley` built beside
/// `parley-load`, and print the JSON their callers parse.
@Suite("parley-load HTTP benchmarks", .serialized)
struct HTTPBenchmarkTests {
    static func report(_ arguments: [String]) async throws -> [String: Any] {
        let (status, output) = try await ParleyLoadBinary.run(arguments)
        #expect(status == 0, "parley-load \(arguments.joined(separator: " ")) exited with \(status)")
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1)
        return try #require(try JSONSerialization.jsonObject(with: Data((lines.last ?? "").utf8)) as? [String: Any])
    }

    @Test("`http --json` posts messages over a few connections without errors")
    func messages() async throws {
        let report = try await Self.report([
            "http", "--connections", "3", "--duration", "1", "--warmup", "0.2", "--conversations", "30", "--json",
        ])
        #expect(report["errors"] as? Int == 0)
        #expect((report["requests"] as? Int ?? 0) > 0)
        #expect((report["requests_per_s"] as? Double ?? 0) > 0)
        #expect(report["connections"] as? Int == 3)
        #expect(report["conversations"] as? Int == 30)
        #expect((report["p99_ms"] as? Double ?? 0) >= (report["p50_ms"] as? Double ?? .infinity))
    }

    @Test("`http --webhooks 2` runs the load beside two webhooks whose endpoints receive its messages")
    func messagesBesideWebhooks() async throws {
        let report = try await Self.report([
            "http", "--connections", "2", "--duration", "1", "--warmup", "0.2", "--conversations", "20", "--webhooks", "2",
            "--json",
        ])
        #expect(report["errors"] as? Int == 0)
        #expect(report["webhooks"] as? Int == 2)
        #expect((report["requests"] as? Int ?? 0) > 0)
        #expect((report["webhook_deliveries"] as? Int ?? 0) > 0)
    }

    @Test("`http --webhooks` outside 0...100 is refused before anything starts")
    func badWebhookCount() async throws {
        let (status, _) = try await ParleyLoadBinary.run(["http", "--webhooks", "101", "--json"])
        #expect(status != 0)
    }

    @Test("`http-list --json` lists pages of 25 in an account seeded in-process")
    func lists() async throws {
        let report = try await Self.report([
            "http-list", "--conversations", "60", "--requests", "30", "--pages", "3", "--json",
        ])
        #expect(report["errors"] as? Int == 0)
        #expect(report["requests"] as? Int == 30)
        #expect(report["all_count"] as? Int == 60)
        #expect(report["page_conversations"] as? Int == 25)
    }

    @Test("no server outlives the benchmark")
    func serverStops() async throws {
        let before = Self.parleyServers()
        _ = try await Self.report(["http", "--connections", "1", "--duration", "0.2", "--warmup", "0", "--conversations", "1", "--json"])
        #expect(Self.parleyServers().subtracting(before).isEmpty)
    }

    /// Pids of running `parley serve` processes started by a benchmark.
    static func parleyServers() -> Set<Int32> {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return Set(entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.contains("serve") && arguments.contains { $0.contains("parley-load-http") } ? pid : nil
        })
    }
}
