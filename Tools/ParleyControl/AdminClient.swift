import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import ParleyServer

/// Talks to the server that holds a data directory, through the admin
/// channel it announces there (``AdminChannel``): how commands act on a
/// directory a running server owns.
public struct AdminClient: Sendable {
    public let announcement: AdminChannel.Announcement
    private let host: String
    private let port: Int

    /// The live server of `data`, or nil when none runs on it: no announcement,
    /// its process gone (a crash leaves the file behind), or nobody answering.
    public static func running(data: String) async -> AdminClient? {
        guard let announcement = AdminChannel.announcement(in: data),
            kill(announcement.pid, 0) == 0 || errno == EPERM,
            let client = AdminClient(announcement)
        else { return nil }
        guard (try? await client.request("GET", "/admin/v1/status")) != nil else { return nil }
        return client
    }

    private init?(_ announcement: AdminChannel.Announcement) {
        guard let url = URL(string: announcement.url), let host = url.host, let port = url.port else { return nil }
        self.announcement = announcement
        self.host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
    }

    /// Sends one request and returns the JSON object it answers.
    ///
    /// - Throws: ``ControlError`` with the server's own message when it
    ///   answers anything but 2xx, or when it cannot be reached.
    public func request(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> [String: Any] {
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0) }
        let (status, data) = try await exchange(method: HTTPMethod(rawValue: method), path: path, body: body)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        guard (200..<300).contains(status) else {
            let error = object?["error"] as? [String: Any]
            throw ControlError("the server refused \(method) \(path): \(error?["message"] as? String ?? "status \(status)")")
        }
        guard let object else { throw ControlError("the server's answer to \(method) \(path) is not a JSON object") }
        return object
    }

    private func exchange(method: HTTPMethod, path: String, body: Data?) async throws -> (Int, Data) {
        let channel: NIOAsyncChannel<NIOHTTPClientResponseFull, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(
                            NIOHTTPClientResponseAggregator(maxContentLength: 64 << 20))
                        return try NIOAsyncChannel(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw ControlError("cannot reach the server at \(announcement.url): \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
            head.headers.add(name: "Host", value: "\(host):\(port)")
            head.headers.add(name: "Authorization", value: "Bearer \(announcement.token)")
            head.headers.add(name: "Connection", value: "close")
            head.headers.add(name: "Content-Length", value: "\(body?.count ?? 0)")
            if body != nil { head.headers.add(name: "Content-Type", value: "application/json") }
            // One write and one flush: a server that has the whole request
            // answers and closes, and no later part may find the channel shut.
            var parts: [HTTPClientRequestPart] = [.head(head)]
            if let body { parts.append(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            parts.append(.end(nil))
            try await outbound.write(contentsOf: parts)
            for try await response in inbound {
                let bytes = response.body.map { Data($0.readableBytesView) } ?? Data()
                return (Int(response.head.status.code), bytes)
            }
            throw ControlError("the server at \(announcement.url) closed the connection without answering")
        }
    }
}
