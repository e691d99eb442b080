import ParleyDomain

/// What the gateway's ticker does for a connection, and its end.
extension ClientSession {
    /// Called every second: pings, the pong deadline, token expiry, presence,
    /// and dropping a connection whose close does not get through.
    func tick(now: ContinuousClock.Instant) {
        let configuration = gateway.api.configuration
        if outbox.isClosing {
            let since = state.withLock { state in
                if state.closingSince == nil { state.closingSince = now }
                return state.closingSince!
            }
            if now - since > .seconds(RealtimeGateway.closeGraceSeconds) { abort() }
            return
        }
        guard let grant else {
            if now - opened > .seconds(RealtimeGateway.connectTimeoutSeconds) { outbox.close(.stale) }
            return
        }
        if grant.expiresAt <= ParleyAPI.now() {
            outbox.close(.expired)
            return
        }
        // Presence lives for its TTL: refresh it well within, whatever the ping interval.
        let refresh = Duration.seconds(max(1, configuration.presenceTTL / 3))
        let refreshing = state.withLock { state in
            guard now - state.lastPresence >= refresh else { return false }
            state.lastPresence = now
            return true
        }
        if refreshing { markPresent(grant) }
        guard configuration.pingInterval > 0 else { return }
        let (sentAt, lastPing) = state.withLock { ($0.pingSentAt, $0.lastPing) }
        if let sentAt, now - sentAt > .seconds(configuration.pongTimeout) {
            outbox.close(.noPong)
            return
        }
        if now - lastPing >= .seconds(configuration.pingInterval) {
            state.withLock { state in
                state.lastPing = now
                if state.pingSentAt == nil { state.pingSentAt = now }
            }
            outbox.push(Array("{}".utf8))
        }
    }

    /// Refreshes this connection's presence: in its channels, and for a
    /// user in the account channel, which lists everyone connected.
    func markPresent(_ grant: RealtimeGrant) {
        let client = PresenceRegistry.Client(client: clientID, user: grant.identity.subject)
        var channels = Set(self.channels)
        if case .user(let account, _) = grant.identity { channels.insert(StreamNames.account(account)) }
        for channel in channels { gateway.presence.mark(client, in: channel) }
    }

    /// Leaves every channel and the account's presence; the connection is gone.
    func close() {
        for channel in channels { unsubscribe(channel) }
        outbox.finish()
        if let grant, case .user(let account, let user) = grant.identity {
            gateway.presence.remove(client: clientID, from: StreamNames.account(account))
            gateway.users.disconnected(account: account, user: user)
        }
    }
}
