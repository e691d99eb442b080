import Synchronization

/// How far the automation reactor has looked through the log: `/readyz`
/// shows it, so a client (or a test) can wait until the reactor has seen an
/// event, whether or not it reacted to it.
public final class AutomationProgress: Sendable {
    private let evaluated = Atomic<UInt64>(0)

    public init() {}

    /// The newest offset the reactor has evaluated.
    public var offset: UInt64 { evaluated.load(ordering: .acquiring) }

    func evaluated(through offset: UInt64) {
        evaluated.store(offset, ordering: .releasing)
    }
}
