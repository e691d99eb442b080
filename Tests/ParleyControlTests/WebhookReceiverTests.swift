import NIOCore
import Testing

@testable import ParleyLoadKit

/// The benchmark's endpoints find each delivery's message by its `load-N` content.
@Suite struct WebhookReceiverTests {
    @Test(arguments: [
        (#"{"event":"message_created","content":"load-1234","id":9}"#, 1234),
        (#""content":"load-0""#, 0),
        (#"{"content":"hello","nested":{"content":"load-77"}}"#, 77),
    ])
    func findsTheSequenceNumber(payload: String, expected: Int) {
        #expect(WebhookReceiver.sequence(in: ByteBuffer(string: payload)) == expected)
    }

    @Test(arguments: [#"{"content":"load-"}"#, #"{"content":"hello 12"}"#, "", #""content":"load"#])
    func answersNilWithoutOne(payload: String) {
        #expect(WebhookReceiver.sequence(in: ByteBuffer(string: payload)) == nil)
    }
}
