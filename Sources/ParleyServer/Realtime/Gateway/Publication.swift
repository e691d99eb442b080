import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections

/// A log entry as a publication of one channel, encoded once and shared by
/// every subscriber: live pushes, recovery and history all carry these
/// bytes, so a recovered publication is byte-identical to the live one.
struct Publication: Sendable {
    var channel: String
    /// The stream sequence; nil for an ephemeral entry (typing), which is never replayed.
    var offset: UInt64?
    var accountID: UInt64
    /// Who caused it; an ephemeral publication is not sent back to them.
    var actor: Principal?
    /// `{"data":<envelope>,"offset":N}`.
    var json: [UInt8]
    /// The push frame: `{"push":{"channel":…,"pub":…}}`.
    var push: [UInt8]

    init(channel: String, entry: LogEntry, epoch: String, decoder: JSONDecoder) throws {
        self.channel = channel
        offset = entry.seq(in: channel)
        accountID = entry.accountID
        actor = entry.retention == .ephemeral ? Self.principal(try StoredEvent(entry, decoder: decoder).event.actor) : nil
        var json = Array(#"{"data":"#.utf8)
        json.append(contentsOf: try EnvelopeJSON.write(entry, epoch: epoch))
        if let offset {
            json.append(contentsOf: #","offset":"#.utf8)
            json.append(contentsOf: String(offset).utf8)
        }
        json.append(UInt8(ascii: "}"))
        self.json = json
        var frame = Array(#"{"push":{"channel":"#.utf8)
        EventJSONWriter.quoted(channel, into: &frame)
        frame.append(contentsOf: #","pub":"#.utf8)
        frame.append(contentsOf: json)
        frame.append(contentsOf: "}}".utf8)
        push = frame
    }

    private static func principal(_ actor: Actor) -> Principal? {
        switch actor.type {
        case .agent: .user(actor.id)
        case .contact: .contact(actor.id)
        case .bot, .system: nil
        }
    }
}
