import ParleyDomain
import Synchronization

/// Which users have realtime connections open, per account, and the
/// `user.presence_changed` events their first and last connection make.
///
/// Transitions are decided under one lock and appended by one task in that
/// order, so a quick reconnect can never leave a user shown offline.
final class UserPresence: Sendable {
    private struct User: Hashable {
        var account: UInt64
        var user: UInt64
    }

    private let connections = Mutex<[User: Int]>([:])
    private let transitions: AsyncStream<Command>.Continuation

    /// `append` runs each presence command, one at a time, in order.
    init(append: @escaping @Sendable (Command) async -> Void) {
        let (stream, continuation) = AsyncStream<Command>.makeStream()
        transitions = continuation
        Task {
            for await command in stream { await append(command) }
        }
    }

    deinit {
        transitions.finish()
    }

    func connected(account: UInt64, user: UInt64) {
        connections.withLock { connections in
            let key = User(account: account, user: user)
            connections[key, default: 0] += 1
            if connections[key] == 1 { transitions.yield(Self.command(key, online: true)) }
        }
    }

    func disconnected(account: UInt64, user: UInt64) {
        connections.withLock { connections in
            let key = User(account: account, user: user)
            guard let count = connections[key] else { return }
            if count > 1 {
                connections[key] = count - 1
            } else {
                connections[key] = nil
                transitions.yield(Self.command(key, online: false))
            }
        }
    }

    private static func command(_ user: User, online: Bool) -> Command {
        Command(accountID: user.account, principal: .user(user.user), action: .setPresence(online: online))
    }
}
