import ParleyDomain
import Synchronization

/// Stops typing indicators nobody stopped: a `typing_on` not followed by a
/// `typing_off` (or another `typing_on`) within the typing timeout gets a
/// `typing_off` from the same participant, so a client that vanished
/// mid-sentence never leaves "typing…" on everyone else's screen.
final class TypingTimers: Sendable {
    private struct Key: Hashable {
        var accountID: UInt64
        var conversationID: UInt64
        var principal: Principal
        var isPrivate: Bool
    }

    /// The generation of each running indicator; a newer `typing_on` replaces it.
    private let running = Mutex<(generations: [Key: Int], next: Int)>(([:], 0))
    private let timeout: Duration

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Notes a typing command that was appended; `stop` appends the automatic `typing_off`.
    func noted(_ command: Command, stop: @escaping @Sendable (Command) async -> Void) {
        guard case .typing(let conversationID, let on, let isPrivate) = command.action else { return }
        let key = Key(accountID: command.accountID, conversationID: conversationID, principal: command.principal, isPrivate: isPrivate)
        let generation = running.withLock { running -> Int? in
            guard on else {
                running.generations[key] = nil
                return nil
            }
            running.next += 1
            running.generations[key] = running.next
            return running.next
        }
        guard let generation else { return }
        Task { [timeout] in
            try? await Task.sleep(for: timeout)
            let expired = self.running.withLock { running -> Bool in
                guard running.generations[key] == generation else { return false }
                running.generations[key] = nil
                return true
            }
            if expired {
                await stop(
                    Command(
                        accountID: key.accountID, principal: key.principal,
                        action: .typing(conversationID: key.conversationID, on: false, isPrivate: key.isPrivate)))
            }
        }
    }
}
