import ParleyDomain
import ParleyProjections
import Testing

@testable import ParleyServer

/// How the conversation and message routes read Chatwoot's parameters:
/// list filters, labels as clients encode them, message types by name or
/// number, priorities, and the idempotency key an `echo_id` stands for.
@Suite struct ConversationParametersTests {
    private func query(_ text: String) throws -> ConversationQuery {
        try ParleyAPI.conversationQuery(QueryParameters(query: text))
    }

    @Test func listParametersMapToTheQuery() throws {
        let defaults = try query("")
        #expect(defaults.status == .only(.open) && defaults.assigneeType == .all && defaults.page == 1 && defaults.sort == .lastActivity)
        let all = try query("status=all&assignee_type=me&inbox_id=3&team_id=4&page=2&sort_by=sort_on_waiting_since&q=Ada+L")
        #expect(all.status == .all && all.assigneeType == .me && all.inboxID == 3 && all.teamID == 4 && all.page == 2)
        #expect(all.sort == .waitingSince && all.text == "Ada L")
        #expect(try query("status=snoozed&sort_by=created_at_desc").status == .only(.snoozed))
        #expect(try query("sort_by=latest").sort == .lastActivity)
        #expect(try query("sort_by=priority_desc").sort == .priority)
    }

    @Test func labelsComeRepeatedEncodedOrCommaSeparated() throws {
        #expect(try query("labels%5B%5D=vip&labels%5B%5D=billing").labels == ["vip", "billing"])
        #expect(try query("labels[]=vip").labels == ["vip"])
        #expect(try query("labels=vip,%20billing&labels=late").labels == ["vip", "billing", "late"])
        #expect(try query("labels=,,").labels.isEmpty)
        #expect(throws: APIError.self) { try query(Array(repeating: "labels[]=x", count: 101).joined(separator: "&")) }
        #expect(throws: APIError.self) { try query("labels[]=%FF") }
    }

    @Test func badListParametersAreRefused() {
        for text in ["status=closed", "assignee_type=mine", "page=0", "page=-2", "page=100001", "sort_by=created_at_asc", "inbox_id=x"] {
            let error = #expect(throws: APIError.self, "\(text)") { try query(text) }
            #expect(error?.status == .badRequest)
        }
    }

    private func body(_ text: String) throws -> JSONBody {
        try JSONBody.parse(Array(text.utf8))
    }

    @Test func messageTypesByNameOrNumber() throws {
        for (text, type) in [(#""incoming""#, MessageType.incoming), ("1", .outgoing), (#""activity""#, .activity), ("3", .template)] {
            var message = try body(#"{"message_type": \#(text)}"#)
            #expect(try ParleyAPI.messageType(&message) == type)
            try message.finish()
        }
        var absent = try body("{}")
        #expect(try ParleyAPI.messageType(&absent) == nil)
        for text in ["7", "-1", #""1""#, #""shout""#, "true", "1.5"] {
            var message = try body(#"{"message_type": \#(text)}"#)
            #expect(throws: APIError.self, "\(text)") { try ParleyAPI.messageType(&message) }
        }
    }

    @Test func prioritiesAndTheirClearing() throws {
        var high = try body(#"{"priority": "high"}"#)
        #expect(try ParleyAPI.priority(&high) == .high)
        for text in ["null", #""none""#] {
            var cleared = try body(#"{"priority": \#(text)}"#)
            #expect(try ParleyAPI.priority(&cleared) == nil)
            try cleared.finish()
        }
        var bad = try body(#"{"priority": "p1"}"#)
        #expect(throws: APIError.self) { try ParleyAPI.priority(&bad) }
    }

    @Test func echoKeysAreScopedByConversationAndFitTheLog() {
        func key(_ echo: String, conversation: UInt64) -> String {
            IdempotencyKeys.ledgerKey("echo:" + echo, for: .sendMessage(conversationID: conversation, message: NewMessage(content: "x")))
        }
        #expect(key("abc", conversation: 7) == "conversation/7:echo:abc")
        #expect(key("abc", conversation: 8) != key("abc", conversation: 7))
        let long = key(String(repeating: "é", count: 255), conversation: 7)
        #expect(long.hasPrefix("sha256:") && long.utf8.count < 100)
        #expect(long != key(String(repeating: "é", count: 254), conversation: 7))
    }
}
