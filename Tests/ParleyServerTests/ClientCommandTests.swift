import ParleyDomain
import Testing

@testable import ParleyServer

/// Reading Centrifugo's JSON commands: what closes the connection, what only
/// refuses one command, and the fields SDKs send.
@Suite struct ClientCommandTests {
    private func parse(_ text: String) throws(ClientCommand.Failure) -> ClientCommand {
        try ClientCommand.parse(Array(text.utf8))
    }

    private func refusal(_ text: String) -> (UInt32, ReplyError)? {
        do {
            _ = try parse(text)
        } catch {
            if case .refused(let id, let reply) = error { return (id, reply) }
        }
        return nil
    }

    @Test func connectCarriesTokenAndSubscriptions() throws {
        let command = try parse(
            #"{"id":1,"connect":{"token":"t","name":"js","subs":{"b:1":{"recover":true,"epoch":"e","offset":"41"},"a:1":{}}}}"#)
        guard case .connect(let connect) = command.method else {
            Issue.record("not a connect: \(command.method)")
            return
        }
        #expect(command.id == 1 && connect.token == "t")
        #expect(connect.subs.map(\.channel) == ["a:1", "b:1"])
        #expect(connect.subs[1].request.recover && connect.subs[1].request.epoch == "e" && connect.subs[1].request.offset == 41)
    }

    @Test func subscribeHistoryAndRPCFields() throws {
        guard case .subscribe(let subscribe) = try parse(#"{"id":2,"subscribe":{"channel":"c","recover":true,"offset":7,"join_leave":true}}"#).method,
            case .history(let history) = try parse(#"{"id":3,"history":{"channel":"c","limit":-1,"since":{"offset":5,"epoch":"e"},"reverse":true}}"#).method,
            case .rpc(let method, let data) = try parse(#"{"id":4,"rpc":{"method":"message.create","data":{"content":"hi"}}}"#).method
        else {
            Issue.record("wrong methods")
            return
        }
        #expect(subscribe.channel == "c" && subscribe.recover && subscribe.offset == 7 && subscribe.joinLeave && subscribe.epoch == "")
        #expect(history.limit == -1 && history.since?.offset == 5 && history.since?.epoch == "e" && history.reverse)
        #expect(method == "message.create" && data == .object(["content": .string("hi")]))
    }

    @Test func pongAndSendNeedNoID() throws {
        guard case .pong = try parse("{}").method, case .send = try parse(#"{"send":{"data":{}}}"#).method else {
            Issue.record("not a pong and a send")
            return
        }
    }

    @Test func malformedLinesCloseTheConnection() {
        for text in ["", "nonsense", "[]", #"{"id":-1,"ping":{}}"#, #"{"id":1.5,"ping":{}}"#, #"{"id":"1","ping":{}}"#,
            #"{"ping":{}}"#, #"{"id":0,"subscribe":{"channel":"c"}}"#, #"{"id":4294967296,"ping":{}}"#, #"{"unknown":{}}"#]
        {
            #expect(throws: ClientCommand.Failure.self, "\(text)") { try parse(text) }
            #expect(refusal(text) == nil, "\(text)")
        }
    }

    @Test func badFieldsRefuseOnlyTheCommand() {
        #expect(refusal(#"{"id":5,"frobnicate":{}}"#)?.1 == .methodNotFound)
        for text in [#"{"id":5,"subscribe":{"channel":7}}"#, #"{"id":5,"subscribe":{}}"#, #"{"id":5,"subscribe":"c"}"#,
            #"{"id":5,"subscribe":{"channel":"c","offset":-1}}"#, #"{"id":5,"subscribe":{"channel":"c","recover":"yes"}}"#,
            #"{"id":5,"history":{"channel":"c","since":{"offset":"x"}}}"#, #"{"id":5,"ping":{},"subscribe":{"channel":"c"}}"#,
            #"{"id":5,"connect":{"subs":{"c":7}}}"#]
        {
            let refused = refusal(text)
            #expect(refused?.0 == 5 && refused?.1 == .badRequest, "\(text)")
        }
    }
}
