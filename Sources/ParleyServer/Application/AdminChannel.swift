import Foundation

/// How `parleyctl` on the same machine reaches the server that holds a data
/// directory: the server writes `admin.json` (its loopback URL, a token made
/// for this run, its pid) into the directory once it listens, readable only
/// by its owner, and removes it when it stops. Whoever may read the data
/// directory may already read every event, so the file grants nothing more.
public enum AdminChannel {
    public static let fileName = "admin.json"

    /// What the file holds.
    public struct Announcement: Codable, Sendable, Hashable {
        public var url: String
        public var token: String
        public var pid: Int32

        public init(url: String, token: String, pid: Int32) {
            self.url = url
            self.token = token
            self.pid = pid
        }
    }

    /// Writes the announcement for a server listening on `port` (atomically, mode 0600).
    static func publish(in directory: String, host: String, port: Int, token: String) throws {
        let announcement = Announcement(url: "http://\(loopbackHost(for: host)):\(port)", token: token, pid: getpid())
        let path = directory + "/" + fileName
        let temporary = path + ".tmp"
        let bytes = try JSONEncoder().encode(announcement)
        guard FileManager.default.createFile(atPath: temporary, contents: bytes, attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary]) }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// Removes the announcement at a clean stop.
    static func withdraw(from directory: String) {
        unlink(directory + "/" + fileName)
    }

    /// Reads the announcement in `directory`, if there is one.
    public static func announcement(in directory: String) -> Announcement? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(Announcement.self, from: data)
    }

    /// A server bound to every address is reached on loopback.
    private static func loopbackHost(for host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: host.contains(":") ? "[\(host)]" : host
        }
    }
}
