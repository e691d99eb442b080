import Foundation
import ParleyLog
import ParleyServer

/// `parleyctl backup`: a consistent copy of a data directory, taken by the
/// running server when there is one (it holds the directory's lock) and by
/// opening the directory otherwise.
public enum Backup {
    public struct Summary: Encodable, Sendable {
        public var path: String
        public var epoch: String
        /// The newest offset in the backup.
        public var head: UInt64
        public var bytes: UInt64
        /// Whether a running server made it.
        public var online: Bool

        public var text: String {
            "backed up to \(path): head \(head), epoch \(epoch), \(LogSummary.size(bytes)) (\(online ? "through the running server" : "offline"))"
        }
    }

    public static func run(data: String, out: String) async throws -> Summary {
        let destination = DataDirectoryCheck.absolute(out)
        do {
            try DataBackup.checkDestination(destination)
        } catch {
            throw ControlError(error.description)
        }
        _ = try await DataDirectoryCheck.existingLog(at: data)
        let online: Bool
        if let server = await AdminClient.running(data: data) {
            _ = try await server.request("POST", "/admin/v1/backup", json: ["path": destination])
            online = true
        } else {
            try await offline(data: data, destination: destination)
            online = false
        }
        let (epoch, head) = try await DataDirectoryCheck.existingLog(at: destination)
        return Summary(path: destination, epoch: epoch, head: head, bytes: FileTree.size(of: destination), online: online)
    }

    /// Opens the directory as the primary (refused with ``LogError/locked(path:)``
    /// while a server that has not announced itself yet holds it) and checkpoints it.
    private static func offline(data: String, destination: String) async throws {
        let log = try await EventLog.open(at: data)
        do {
            try await DataBackup.write(log: log, dataDirectory: data, to: destination)
        } catch let failure as DataBackup.Failure {
            await log.close()
            throw ControlError(failure.description)
        } catch {
            await log.close()
            throw error
        }
        await log.close()
    }
}
