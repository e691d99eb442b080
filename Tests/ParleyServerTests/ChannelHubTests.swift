import Foundation
import Logging
import ParleyLog
import Synchronization
import Testing

@testable import ParleyServer

/// A channel whose log tail stops is dropped and its subscribers are sent to
/// resubscribe, instead of staying joined to a tail that will never deliver.
@Suite struct ChannelHubTests {
    final class Recorder: ChannelSubscriber {
        let failed = Mutex<[String]>([])
        func deliver(_ publication: Publication) {}
        func channelFailed(_ channel: String) { failed.withLock { $0.append(channel) } }
    }

    @Test("a tail that fails tells every subscriber, and the next join starts a new tail")
    func failedTailReleasesItsChannel() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-hub-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try await EventLog.open(at: directory)
        let hub = ChannelHub(log: log, logger: Logger(label: "test"))
        let first = Recorder()
        let second = Recorder()
        // The log refuses to tail a stream with this name: the tail fails at once.
        let broken = "not a stream!"
        hub.join(broken, first, head: 0)
        hub.join(broken, second, head: 0)
        try await waitUntil { first.failed.withLock { $0 } == [broken] && second.failed.withLock { $0 } == [broken] }
        #expect(hub.activeChannels == 0)
        #expect(hub.subscribers(of: broken).isEmpty)

        hub.join(broken, first, head: 0)
        try await waitUntil { first.failed.withLock { $0 }.count == 2 }
        #expect(second.failed.withLock { $0 }.count == 1)
        #expect(hub.activeChannels == 0)
        await log.close()
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw Timeout() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    struct Timeout: Error {}
}
