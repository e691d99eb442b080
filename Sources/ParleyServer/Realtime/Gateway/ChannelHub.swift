import Foundation
import Logging
import ParleyDomain
import ParleyLog
import ParleyProjections
import Synchronization

/// Something that receives a channel's publications: a WebSocket session.
protocol ChannelSubscriber: AnyObject, Sendable {
    /// Takes one publication of a channel it joined; must not block.
    func deliver(_ publication: Publication)
    /// The channel's tail stopped (the log could not be read): the
    /// subscriber is no longer in it and should resubscribe, recovering
    /// from its last offset.
    func channelFailed(_ channel: String)
}

/// One tail of the log per channel in use, shared by every connection
/// subscribed to it: an entry is read, decoded and encoded once, then handed
/// to each subscriber, which only enqueues it.
///
/// A channel's tail starts where its first subscriber saw the stream's head
/// before joining, and stops when the last subscriber leaves. A subscriber
/// joins *before* it reads the head again for its subscribe reply: what the
/// tail hands it from then on at or below that head it already has (and
/// drops), and what the tail handed out before it joined was durable, so at
/// or below that head. That is the hand-over without a gap or a duplicate.
final class ChannelHub: Sendable {
    private struct Channel {
        var subscribers: [ObjectIdentifier: any ChannelSubscriber] = [:]
        var tail: Task<Void, Never>?
        /// Tells this channel's tail from one that a last leave stopped (and that may still be finishing).
        var generation = 0
    }

    private struct State {
        var channels: [String: Channel] = [:]
        var generations = 0
    }

    private let state = Mutex(State())
    private let log: EventLog
    private let logger: Logger

    init(log: EventLog, logger: Logger) {
        self.log = log
        self.logger = logger
    }

    /// Channels with at least one subscriber.
    var activeChannels: Int { state.withLock { $0.channels.count } }

    /// Adds `subscriber`; `head` is the stream's head read before this call,
    /// where a new tail starts.
    func join(_ channel: String, _ subscriber: any ChannelSubscriber, head: UInt64) {
        state.withLock { state in
            state.channels[channel, default: Channel()].subscribers[ObjectIdentifier(subscriber)] = subscriber
            if state.channels[channel]?.tail == nil {
                state.generations += 1
                let generation = state.generations
                state.channels[channel]?.generation = generation
                state.channels[channel]?.tail = Task { [self] in await self.follow(channel, after: head, generation: generation) }
            }
        }
    }

    func leave(_ channel: String, _ subscriber: any ChannelSubscriber) {
        let tail = state.withLock { state -> Task<Void, Never>? in
            state.channels[channel]?.subscribers[ObjectIdentifier(subscriber)] = nil
            guard state.channels[channel]?.subscribers.isEmpty == true else { return nil }
            return state.channels.removeValue(forKey: channel)?.tail
        }
        tail?.cancel()
    }

    /// The subscribers of `channel` right now.
    func subscribers(of channel: String) -> [any ChannelSubscriber] {
        state.withLock { Array(($0.channels[channel]?.subscribers ?? [:]).values) }
    }

    /// The subscribers the tail of `generation` serves; none once it has been replaced.
    private func subscribers(of channel: String, generation: Int) -> [any ChannelSubscriber] {
        state.withLock { state in
            guard let current = state.channels[channel], current.generation == generation else { return [] }
            return Array(current.subscribers.values)
        }
    }

    private func follow(_ channel: String, after head: UInt64, generation: Int) async {
        let decoder = EventCodec.decoder()
        do {
            for try await entry in try log.tail(stream: channel, after: head) {
                let publication: Publication
                do {
                    publication = try Publication(channel: channel, entry: entry, epoch: log.epoch, decoder: decoder)
                } catch {
                    logger.error("undecodable entry skipped", metadata: ["offset": "\(entry.offset)", "error": "\(error)"])
                    continue
                }
                for subscriber in subscribers(of: channel, generation: generation) { subscriber.deliver(publication) }
            }
        } catch {
            guard !Task.isCancelled else { return }
            logger.error("channel tail stopped", metadata: ["channel": "\(channel)", "error": "\(error)"])
            fail(channel, generation: generation)
        }
    }

    /// Drops a channel whose tail stopped, so the next subscribe starts a new
    /// one, and sends its subscribers away to resubscribe.
    private func fail(_ channel: String, generation: Int) {
        let orphans = state.withLock { state -> [any ChannelSubscriber] in
            guard let current = state.channels[channel], current.generation == generation else { return [] }
            state.channels[channel] = nil
            return Array(current.subscribers.values)
        }
        for subscriber in orphans { subscriber.channelFailed(channel) }
    }
}
