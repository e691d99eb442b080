import Foundation
import ParleyLog
import ParleyProjections

/// `parleyctl rebuild`: through the running server when one holds the data
/// directory (it keeps serving and includes the writes made meanwhile),
/// otherwise on the directory itself.
public enum ProjectionRebuild {
    /// - Parameters:
    ///   - projection: `all` or one projection's name.
    ///   - verify: Only compare the live projections with a rebuild; change nothing.
    public static func run(data: String, projection: String, verify: Bool) async throws -> RebuildSummary {
        guard let names = ProjectionName.selection(projection) else {
            throw ControlError("unknown projection \"\(projection)\"; choose one of \(ProjectionName.choices)")
        }
        if let server = await AdminClient.running(data: data) {
            let answer = try await server.request("POST", "/admin/v1/rebuild", json: ["projection": projection, "verify": verify])
            do {
                return try RebuildSummary.decode(JSONSerialization.data(withJSONObject: answer))
            } catch {
                throw ControlError("the server's answer to the rebuild is not a rebuild summary: \(error)")
            }
        }
        return RebuildSummary(try await offline(data: data, names: names, verify: verify), server: false)
    }

    /// Opens the directory as its writer (no server may hold it): a
    /// verification compares with the checkpointed views and writes nothing;
    /// a rebuild folds every view afresh and checkpoints them.
    static func offline(data: String, names: Set<ProjectionName>, verify: Bool) async throws -> RebuildReport {
        // Opening as the writer would create a missing log: check it is one first.
        try await LogReader.open(at: data).close()
        do {
            guard verify else { return try await CommandLedger.rebuildOffline(at: data, reporting: names) }
            let ledger = try await CommandLedger.open(at: data)
            do {
                let report = try await ledger.rebuild(names, verify: true)
                await ledger.close(checkpoint: false)
                return report
            } catch {
                await ledger.close(checkpoint: false)
                throw error
            }
        } catch LogError.locked {
            throw ControlError("data directory \(data) is in use by a process that does not answer on its admin channel; stop it or retry once its server is up")
        }
    }
}
