import Foundation
import NIOCore
import NIOPosix
import Synchronization

@testable import ParleyLoadKit

/// A real `parley serve` with an account set up over HTTP, and helpers for
/// what the backup and token tests ask of it.
struct LiveServer {
    let server: HTTPServerProcess
    let connection: HTTPConnection
    let workspace: HTTPWorkspace

    static func start(data: String, group: any EventLoopGroup, conversations: Int, platformToken: String? = nil)
        async throws -> LiveServer
    {
        let parley = try Executables.path(of: "parley")
        let server =
            if let platformToken {
                try await HTTPServerProcess.start(executable: parley, dataDirectory: data, platformToken: platformToken)
            } else {
                try await HTTPServerProcess.start(executable: parley, dataDirectory: data)
            }
        do {
            let connection = try await HTTPConnection.connect(host: server.host, port: server.port, group: group)
            let workspace = try await HTTPWorkspace.create(on: server, connections: [connection], conversations: conversations)
            return LiveServer(server: server, connection: connection, workspace: workspace)
        } catch {
            await server.stop()
            throw error
        }
    }

    var caller: JSONCaller { JSONCaller(connection: connection, host: server.address) }

    /// Posts a message as the administrator; returns once the server acknowledged it (after the fsync).
    func post(_ content: String, conversation: UInt64) async throws {
        _ = try await caller.call(
            .POST, "/api/v1/accounts/\(workspace.accountID)/conversations/\(conversation)/messages",
            token: workspace.accessToken, ["content": content])
    }
}

/// Messages a poster had acknowledged, read while it runs.
final class Acknowledged: Sendable {
    private let contents = Mutex<[String]>([])
    let stop = Atomic<Bool>(false)

    func add(_ content: String) { contents.withLock { $0.append(content) } }
    var snapshot: [String] { contents.withLock { $0 } }

    /// Waits until at least `count` are acknowledged (failing after a minute).
    func wait(for count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while snapshot.count < count {
            guard ContinuousClock.now < deadline else { throw HarnessError.childFailed("only \(snapshot.count) messages acknowledged") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// The contents of every `message.created` on `stream` that a server returns
/// through its events route, with the epoch it answered with.
func messageContents(on live: LiveServer, token: String, account: UInt64, stream: String) async throws
    -> (epoch: String, contents: [String])
{
    var after = 0
    var contents: [String] = []
    var epoch = ""
    while true {
        let page = try await live.caller.call(
            .GET, "/api/v1/accounts/\(account)/events?stream=\(stream)&after=\(after)&limit=1000", token: token, [:])
        epoch = page["epoch"] as? String ?? ""
        let events = page["events"] as? [[String: Any]] ?? []
        for event in events where event["type"] as? String == "message.created" {
            if let content = (event["payload"] as? [String: Any])?["content"] as? String { contents.append(content) }
        }
        guard let next = page["next_after"] as? Int, !events.isEmpty else { return (epoch, contents) }
        after = next
    }
}
