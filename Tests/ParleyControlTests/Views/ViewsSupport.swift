import Foundation
import NIOHTTP1
import NIOPosix
import ParleyControl
import ParleyDomain
import ParleyLoadKit
import ParleyLog
import ParleyProjections
import Synchronization
import Testing

/// JSON over one keep-alive connection to a test's server, as a client sends it.
struct TestClient: Sendable {
    let connection: HTTPConnection
    let host: String

    static func connect(to server: HTTPServerProcess) async throws -> TestClient {
        let connection = try await HTTPConnection.connect(
            host: server.host, port: server.port, group: MultiThreadedEventLoopGroup.singleton)
        return TestClient(connection: connection, host: server.address)
    }

    /// The answer's JSON; fails the call on anything but 2xx.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, token: String?, _ body: [String: any Sendable]? = nil) async throws -> Any {
        let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) }
        let result = try await connection.request(PreparedRequest(method: method, path: path, host: host, token: token, body: bytes))
        guard (200..<300).contains(result.status) else {
            throw ControlError("\(method) \(path) answered \(result.status): \(String(decoding: result.body, as: UTF8.self))")
        }
        return try JSONSerialization.jsonObject(with: Data(result.body), options: .fragmentsAllowed)
    }

    func close() async {
        await connection.close()
    }
}

/// A chat history made over HTTP against a real server: agents, conversations,
/// incoming and outgoing messages, assignments and resolves.
struct ChatHistory: Sendable {
    var workspace: HTTPWorkspace
    var agents: [UInt64]

    static func make(on server: HTTPServerProcess, conversations: Int) async throws -> ChatHistory {
        let connection = try await HTTPConnection.connect(
            host: server.host, port: server.port, group: MultiThreadedEventLoopGroup.singleton)
        let workspace = try await HTTPWorkspace.create(on: server, connections: [connection], conversations: conversations)
        await connection.close()
        let client = try await TestClient.connect(to: server)
        let account = "/api/v1/accounts/\(workspace.accountID)"
        let token = workspace.accessToken
        var agents = [workspace.userID]
        for n in 1...2 {
            let agent = try await client.call(
                .POST, "\(account)/agents", token: token, ["name": "Agent \(n)", "email": "agent\(n)@views.test", "role": "agent"])
            agents.append(try #require(((agent as? [String: Any])?["id"] as? NSNumber)?.uint64Value))
        }
        try await client.call(
            .POST, "\(account)/inbox_members", token: token, ["inbox_id": Int(workspace.inboxID), "user_ids": agents.map { Int($0) }])
        for (index, conversation) in workspace.conversationIDs.enumerated() {
            let path = "\(account)/conversations/\(conversation)"
            try await client.call(.POST, "\(path)/messages", token: token, ["content": "help \(index)", "message_type": "incoming"])
            if index % 4 != 3 {
                try await client.call(.POST, "\(path)/assignments", token: token, ["assignee_id": Int(agents[index % agents.count])])
            }
            try await client.call(.POST, "\(path)/messages", token: token, ["content": "on it \(index)"])
            if index % 2 == 0 {
                try await client.call(.POST, "\(path)/toggle_status", token: token, ["status": "resolved"])
            }
        }
        await client.close()
        return ChatHistory(workspace: workspace, agents: agents)
    }
}

/// The ledger's checkpoint in a closed data directory, as stored.
func ledgerCheckpoint(in data: String) async throws -> [UInt8]? {
    let reader = try await LogReader.open(at: data)
    let stored = try await reader.value(family: "ledger", key: Array("checkpoint".utf8))
    await reader.close()
    return stored
}

/// Rewrites the ledger's checkpoint in `data` (no server running) with the
/// analytics projection's facts removed, as a damaged or tampered file would be.
func damageAnalyticsCheckpoint(in data: String) async throws {
    var options = LogOptions()
    options.extraFamilies = ["ledger"]
    let log = try await EventLog.open(at: data, options: options)
    do {
        let key = Array("checkpoint".utf8)
        let stored = try #require(try await log.value(family: "ledger", key: key))
        var checkpoint = try #require(try JSONSerialization.jsonObject(with: Data(stored)) as? [String: Any])
        var projections = try #require(checkpoint["projections"] as? [String: Any])
        var analytics = try #require(projections["analytics"] as? [String: Any])
        try #require((analytics["facts"] as? [Any])?.isEmpty == false)
        analytics["facts"] = [Any]()
        projections["analytics"] = analytics
        checkpoint["projections"] = projections
        try await log.write([StoredValue(family: "ledger", key: key, value: Array(try JSONSerialization.data(withJSONObject: checkpoint)))])
    } catch {
        await log.close()
        throw error
    }
    await log.close()
}

/// A `--json` summary's field as an integer.
func integer(_ summary: [String: Any], _ key: String) -> Int? {
    (summary[key] as? NSNumber)?.intValue
}

/// A value tasks share behind a lock.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    var value: Value { mutex.withLock { $0 } }

    func update<T>(_ body: (inout Value) -> T) -> T {
        mutex.withLock { body(&$0) }
    }
}
