import Testing

@testable import ParleyServer

@Suite struct EventStreamTests {
    @Test func parsesTheStreamsOfOneAccount() {
        #expect(EventStream("account:7", account: 7) == .account(7))
        #expect(EventStream("audit:7", account: 7) == .audit(7))
        #expect(EventStream("inbox:7:3", account: 7) == .inbox(account: 7, 3))
        #expect(EventStream("conversation:7:12", account: 7) == .conversation(account: 7, 12))
        #expect(EventStream("contact:7:5", account: 7) == .contact(account: 7, 5))
        #expect(EventStream("user:9", account: 7) == .user(9))
    }

    @Test func namesRoundTrip() {
        for name in ["account:7", "audit:7", "inbox:7:3", "conversation:7:12", "contact:7:5", "user:9"] {
            #expect(EventStream(name, account: 7)?.name == name)
        }
    }

    @Test func anotherAccountsStreamsAreNotParsed() {
        for name in ["account:8", "audit:8", "inbox:8:3", "conversation:8:12", "contact:8:5"] {
            #expect(EventStream(name, account: 7) == nil, "\(name)")
        }
    }

    @Test func malformedNamesAreRefused() {
        for name in [
            "", "account", "account:", "account:7:1", "inbox:7", "inbox:7:", "inbox:7:3:1", "inbox:07:3", "inbox:7:03",
            "inbox:7:-3", "inbox:7:3x", "user:", "user:1:2", "platform", "Account:7", "conversation:7:1234567890123456",
            " account:7", "account:7 ",
        ] {
            #expect(EventStream(name, account: 7) == nil, "\(name)")
        }
    }
}
