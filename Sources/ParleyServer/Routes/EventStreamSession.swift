import Foundation
import Hummingbird
import Logging
import NIOCore
import ParleyDomain
import ParleyLog
import ParleyProjections
import ServiceLifecycle

/// The body of one SSE response (`Schemas/event-stream.md`): a log tail per
/// channel, merged through a bounded ``EventStreamOutbox`` into the one
/// writer, which stamps each publication with the positions of every channel
/// up to it.
///
/// The stream ends when the client goes away, when the server shuts down
/// gracefully (an open response would otherwise hold the shutdown up: the
/// HTTP server waits for responses in flight, and the log closes only after
/// it), when the log closes, or when the caller may no longer read a channel.
struct EventStreamSession: Sendable {
    /// How the stream opens.
    enum Opening: Sendable {
        /// From the positions presented, or from the heads when none were.
        case positioned
        /// The presented id could not be resumed from; the stream starts at the heads.
        case unrecoverable(EventStreamPosition.Refusal)
    }

    enum Item: Sendable {
        /// One publication's `data` line, and its sequence in `channels[channel]` (nil when ephemeral).
        case publication(channel: Int, seq: UInt64?, json: [UInt8])
        /// Time for a ping and a look at the caller's access.
        case tick
    }

    /// Items queued between the channels and the writer; with each channel's
    /// bounded tail buffer, all a stream holds in memory.
    static let outboxCapacity = 64

    let log: EventLog
    let epoch: String
    let accountID: UInt64
    /// The caller, as the actor of their own ephemeral events.
    let typist: Actor
    let channels: [String]
    let start: [UInt64]
    let opening: Opening
    /// Between ticks; a ping is written at each when `pings` is set.
    let tick: Duration
    let pings: Bool
    /// Whether the caller may still read every channel, asked at each tick
    /// and before a publication when access may have been taken away since
    /// it was last asked.
    let mayContinue: @Sendable () -> Bool
    /// The ``CommandLedger/accessVersion`` the caller's access was checked at.
    let allowedAt: UInt64
    /// Moves when a folded event may have taken someone's access away.
    let accessVersion: @Sendable () -> UInt64
    let logger: Logger

    /// Writes the stream to `writer` until it ends, then ends the response.
    func run(request: Request, writer: inout any ResponseBodyWriter) async {
        let outbox = EventStreamOutbox<Item>(capacity: Self.outboxCapacity)
        do {
            try await withTaskCancellationOrGracefulShutdownHandler {
                try await request.body.consumeWithInboundCloseHandler { _ in
                    try await stream(through: outbox, to: &writer)
                } onInboundClosed: {
                    outbox.close()
                }
            } onCancelOrGracefulShutdown: {
                outbox.close()
            }
            try await writer.finish(nil)
        } catch {
            // The connection is gone: nobody is left to tell.
            logger.debug("event stream ended", metadata: ["error": "\(error)"])
        }
    }

    private func stream(through outbox: EventStreamOutbox<Item>, to writer: inout any ResponseBodyWriter) async throws {
        var position = EventStreamPosition(epoch: epoch, channels: channels, seqs: start)
        var checkedAt = allowedAt
        try await writer.write(ByteBuffer(bytes: openingEvent()))
        try await withThrowingTaskGroup(of: Void.self) { group in
            defer {
                outbox.close()
                group.cancelAll()
            }
            group.addTask {
                await withTaskGroup(of: Void.self) { channels in
                    for index in self.channels.indices {
                        channels.addTask { await self.pump(index, into: outbox) }
                    }
                }
                // Every tail ended: the log closed.
                outbox.close()
            }
            group.addTask { await self.clock(outbox) }
            while let items = await outbox.receive() {
                var bytes: [UInt8] = []
                for item in items {
                    switch item {
                    case .publication(let channel, let seq, let json):
                        let version = accessVersion()
                        if version != checkedAt {
                            guard mayContinue() else { return }
                            checkedAt = version
                        }
                        if let seq {
                            position.seqs[channel] = seq
                            Self.field("id", position.text, into: &bytes)
                        }
                        Self.field("event", "publication", into: &bytes)
                        bytes.append(contentsOf: "data: ".utf8)
                        bytes.append(contentsOf: json)
                        bytes.append(contentsOf: "\n\n".utf8)
                    case .tick:
                        guard mayContinue() else { return }
                        if pings { bytes.append(contentsOf: ": ping\n\n".utf8) }
                    }
                }
                if !bytes.isEmpty { try await writer.write(ByteBuffer(bytes: bytes)) }
            }
        }
    }

    /// The first event: a bare `id:` with the starting positions (EventSource
    /// keeps it as its last event id without dispatching anything), or
    /// `unrecoverable` carrying the same.
    private func openingEvent() -> [UInt8] {
        var bytes: [UInt8] = []
        Self.field("id", EventStreamPosition(epoch: epoch, channels: channels, seqs: start).text, into: &bytes)
        if case .unrecoverable(let refusal) = opening {
            Self.field("event", "unrecoverable", into: &bytes)
            var data = Array(#"{"reason":"#.utf8)
            JSONOut.string(refusal.rawValue).write(into: &data)
            data.append(contentsOf: #","epoch":"#.utf8)
            JSONOut.string(epoch).write(into: &data)
            data.append(UInt8(ascii: "}"))
            bytes.append(contentsOf: "data: ".utf8)
            bytes.append(contentsOf: data)
            bytes.append(UInt8(ascii: "\n"))
        }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Feeds one channel's tail, stored entries first, into the outbox.
    private func pump(_ index: Int, into outbox: EventStreamOutbox<Item>) async {
        let name = channels[index]
        let decoder = EventCodec.decoder()
        do {
            for try await entry in try log.tail(stream: name, after: start[index]) {
                // A user's stream spans accounts: only this account's events are shown.
                guard entry.accountID == accountID else { continue }
                // Typing reaches the other participants, never the typist.
                if entry.retention == .ephemeral, try StoredEvent(entry, decoder: decoder).event.actor == typist { continue }
                let seq = entry.seq(in: name)
                let json = Self.publication(channel: name, seq: seq, envelope: try EnvelopeJSON.write(entry, epoch: epoch))
                guard await outbox.send(.publication(channel: index, seq: seq, json: json)) else { return }
            }
        } catch {
            logger.error("event stream channel failed", metadata: ["channel": "\(name)", "error": "\(error)"])
            outbox.close()
        }
    }

    private func clock(_ outbox: EventStreamOutbox<Item>) async {
        while true {
            do {
                try await Task.sleep(for: tick)
            } catch {
                return
            }
            guard await outbox.send(.tick) else { return }
        }
    }

    /// `{"channel": …, "offset": …, "data": <envelope>}`, without `offset` for an ephemeral entry.
    static func publication(channel: String, seq: UInt64?, envelope: [UInt8]) -> [UInt8] {
        var bytes = Array(#"{"channel":"#.utf8)
        JSONOut.string(channel).write(into: &bytes)
        if let seq {
            bytes.append(contentsOf: #","offset":"#.utf8)
            JSONOut.uint(seq).write(into: &bytes)
        }
        bytes.append(contentsOf: #","data":"#.utf8)
        bytes.append(contentsOf: envelope)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private static func field(_ name: String, _ value: String, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: ": ".utf8)
        bytes.append(contentsOf: value.utf8)
        bytes.append(UInt8(ascii: "\n"))
    }
}
