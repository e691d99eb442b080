import Foundation
import ParleyProjections
import Testing

/// `parley-load fill`: exactly N events, the mix a chat server sees, a log the ledger opens.
@Suite("parley-load fill")
struct FillTests {
    @Test("fills exactly N events of every kind the benchmarks need")
    func fill() async throws {
        try await withScratch { dir in
            let run = try await ParleyCtl.run(["fill", "--events", "3000", "--data", dir, "--json"], tool: "parley-load")
            #expect(run.status == 0, "\(run.errorOutput)")
            let report = try run.summary()
            #expect(report["events"] as? Int == 3000)
            #expect((report["events_per_s"] as? Double ?? 0) > 0)
            #expect((report["conversations"] as? Int ?? 0) > 50)

            let stats = try await ParleyCtl.run(["inspect", "--data", dir, "stats", "--json"]).summary()
            #expect(stats["head"] as? Int == 3000)
            #expect(stats["events"] as? Int == 3000)
            let types = try #require(stats["types"] as? [String: Int])
            for type in [
                "account.created", "user.created", "account_user.added", "inbox.created", "inbox.members_changed",
                "team.created", "label.created", "canned_response.saved", "webhook.saved", "audit.recorded",
                "contact.created", "contact_inbox.created", "conversation.created", "assignee.changed",
                "message.created", "conversation.typing_on", "conversation.typing_off", "conversation.read",
                "conversation.status_changed",
            ] {
                #expect((types[type] ?? 0) > 0, "no \(type)")
            }
            #expect((types["message.created"] ?? 0) * 3 > 3000)

            // The ledger opens what fill wrote, and its views agree with a rebuild from the log.
            let ledger = try await CommandLedger.open(at: dir)
            let rebuilt = try await ledger.rebuildProjections().digests()
            let live = try ledger.withProjections { try $0.digests() }
            await ledger.close()
            #expect(rebuilt == live)
        }
    }
}
