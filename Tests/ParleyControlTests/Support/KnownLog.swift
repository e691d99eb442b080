import Foundation
import ParleyLog

/// A small log with hand-written payloads, so what `inspect` prints can be
/// spelt out exactly: an account, a contact's message, a typing indicator
/// (ephemeral) and an agent's answer.
enum KnownLog {
    static let entries: [NewEntry] = [
        NewEntry(
            type: "account.created", accountID: 1, streams: ["account:1", "audit:1"],
            payload: Array(#"{"actor":{"type":"system","id":0},"version":1,"payload":{"name":"Acme","locale":"en"}}"#.utf8)),
        NewEntry(
            type: "message.created", accountID: 1, streams: ["account:1", "conversation:1:1"], idempotencyKey: "m-1",
            payload: Array(#"{"actor":{"type":"contact","id":7},"version":1,"payload":{"content":"Hello","message_id":1}}"#.utf8)),
        NewEntry(
            type: "conversation.typing_on", accountID: 1, streams: ["conversation:1:1"], retention: .ephemeral,
            payload: Array(#"{"actor":{"type":"agent","id":3},"version":1,"payload":{"conversation_id":1}}"#.utf8)),
        NewEntry(
            type: "message.created", accountID: 1, streams: ["account:1", "conversation:1:1"],
            payload: Array(
                #"{"actor":{"type":"agent","id":3},"version":1,"payload":{"content":"Hi! How can we help?","message_id":2}}"#.utf8)),
    ]

    /// Writes the entries (one append each) into a new log at `path`; returns the log's epoch and each entry's time.
    static func write(at path: String) async throws -> (epoch: String, times: [UInt64]) {
        let log = try await EventLog.open(at: path)
        var times: [UInt64] = []
        do {
            for entry in entries { times.append(try await log.append([entry]).entries[0].timestamp) }
        } catch {
            await log.close()
            throw error
        }
        let epoch = log.epoch
        await log.close()
        return (epoch, times)
    }

    /// `2026-11-21T19:41:46.123Z`, as an independent check of the tool's own formatting.
    static func time(_ milliseconds: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// The text line `inspect` prints for entry `offset` (1-based).
    static func line(_ offset: Int, times: [UInt64]) -> String {
        let time = Self.time(times[offset - 1])
        return switch offset {
        case 1: #"1 \#(time) account.created account=1 actor=system streams=account:1#1,audit:1#1 payload={"locale":"en","name":"Acme"}"#
        case 2:
            #"2 \#(time) message.created account=1 actor=contact:7 streams=account:1#2,conversation:1:1#1 key=m-1 payload={"content":"Hello","message_id":1}"#
        case 3:
            #"3 \#(time) conversation.typing_on account=1 actor=agent:3 streams=conversation:1:1 ephemeral payload={"conversation_id":1}"#
        default:
            #"4 \#(time) message.created account=1 actor=agent:3 streams=account:1#3,conversation:1:1#2 payload={"content":"Hi! How can we help?","message_id":2}"#
        }
    }
}
