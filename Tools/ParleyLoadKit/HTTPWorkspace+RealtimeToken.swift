import NIOHTTP1

extension HTTPWorkspace {
    /// The administrator's realtime token, for the connect command of a WebSocket.
    func realtimeToken(over connection: HTTPConnection, host: String) async throws -> String {
        let answer = try await JSONCaller(connection: connection, host: host).call(
            .POST, "/api/v1/accounts/\(accountID)/realtime_token", token: accessToken, [:])
        guard let token = answer["token"] as? String else { throw HarnessError.childFailed("no token in \(answer)") }
        return token
    }
}
