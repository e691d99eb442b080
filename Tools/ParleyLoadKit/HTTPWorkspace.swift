import Foundation
import NIOHTTP1

/// An account set up over the API as a client would: an administrator with
/// their access token, an API inbox, and conversations, each with its contact.
public struct HTTPWorkspace: Sendable {
    public var accountID: UInt64
    public var userID: UInt64
    public var accessToken: String
    public var inboxID: UInt64
    public var conversationIDs: [UInt64]

    /// Creates the account, its administrator and inbox through the platform
    /// and application APIs, then `conversations` conversations spread over
    /// `connections`.
    public static func create(
        on server: HTTPServerProcess, connections: [HTTPConnection], conversations: Int
    ) async throws -> HTTPWorkspace {
        let client = JSONCaller(connection: connections[0], host: server.address)
        let platform = server.platformToken
        let account = try client.id(await client.call(.POST, "/platform/api/v1/accounts", token: platform, ["name": "Load"]), "id")
        let user = try await client.call(
            .POST, "/platform/api/v1/users", token: platform,
            ["name": "Load Admin", "email": "admin@load.test", "password": "Load-Password-1"])
        let userID = try client.id(user, "id")
        guard let token = user["access_token"] as? String else { throw HarnessError.childFailed("no access_token in \(user)") }
        _ = try await client.call(
            .POST, "/platform/api/v1/accounts/\(account)/account_users", token: platform, ["user_id": Int(userID), "role": "administrator"])
        let inbox = try client.id(
            await client.call(.POST, "/api/v1/accounts/\(account)/inboxes", token: token, ["name": "Load", "channel": ["type": "api"]]),
            "id")

        let callers = connections.map { JSONCaller(connection: $0, host: server.address) }
        let ids = try await withThrowingTaskGroup(of: [(Int, UInt64)].self) { group in
            for (index, caller) in callers.enumerated() {
                group.addTask {
                    var created: [(Int, UInt64)] = []
                    for n in stride(from: index, to: conversations, by: callers.count) {
                        created.append((n, try await caller.conversation(account: account, inbox: inbox, token: token, n: n)))
                    }
                    return created
                }
            }
            var ids = [UInt64](repeating: 0, count: conversations)
            for try await created in group { for (n, id) in created { ids[n] = id } }
            return ids
        }
        return HTTPWorkspace(accountID: account, userID: userID, accessToken: token, inboxID: inbox, conversationIDs: ids)
    }
}

/// JSON requests over one connection for setting things up (not timed).
struct JSONCaller: Sendable {
    var connection: HTTPConnection
    var host: String

    func call(_ method: HTTPMethod, _ path: String, token: String, _ body: [String: any Sendable]) async throws -> [String: Any] {
        let bytes = try JSONSerialization.data(withJSONObject: body)
        let result = try await connection.request(PreparedRequest(method: method, path: path, host: host, token: token, body: Array(bytes)))
        guard (200..<300).contains(result.status) else {
            throw HTTPClientError.unexpectedStatus(
                method: "\(method)", path: path, status: result.status, body: String(decoding: result.body, as: UTF8.self))
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any] else {
            throw HarnessError.childFailed("\(method) \(path) answered something other than a JSON object")
        }
        return object
    }

    func id(_ object: [String: Any], _ name: String) throws -> UInt64 {
        guard let number = object[name] as? NSNumber else { throw HarnessError.childFailed("no numeric \(name) in \(object)") }
        return number.uint64Value
    }

    /// A contact in the inbox and a conversation with it; returns the conversation's id.
    func conversation(account: UInt64, inbox: UInt64, token: String, n: Int) async throws -> UInt64 {
        let created = try await call(
            .POST, "/api/v1/accounts/\(account)/contacts", token: token,
            ["name": "Visitor \(n)", "email": "visitor\(n)@load.test", "inbox_id": Int(inbox)])
        guard let payload = created["payload"] as? [String: Any], let contact = payload["contact"] as? [String: Any],
            let contactInbox = payload["contact_inbox"] as? [String: Any], let sourceID = contactInbox["source_id"] as? String
        else { throw HarnessError.childFailed("unexpected contact answer: \(created)") }
        let conversation = try await call(
            .POST, "/api/v1/accounts/\(account)/conversations", token: token,
            ["source_id": sourceID, "inbox_id": Int(inbox), "contact_id": Int(try id(contact, "id"))])
        return try id(conversation, "id")
    }
}
