import NIOCore

/// What the connections received, held against what the server
/// acknowledged: every acknowledged message must reach every connection
/// subscribed to its conversation exactly once.
struct DeliveryTally {
    /// Distinct (connection, message) pairs received.
    var delivered = 0
    /// Receipts of a message the connection already had.
    var duplicated = 0
    /// Messages received on a connection not subscribed to their conversation.
    var misrouted = 0
    /// Message publications whose message was never acknowledged (its request failed).
    var unmatched = 0
    /// Publications whose offset is not the one after the previous publication on the same connection.
    var outOfSequence = 0
    /// Acknowledgement → delivery, 0 for a delivery that arrived before the acknowledgement.
    var latencies = Latencies()
    /// The last delivery of an acknowledged message.
    var lastDelivery: NIODeadline?

    /// Counts one connection's deliveries, in the order they arrived.
    /// - Parameters:
    ///   - conversation: The conversation the connection subscribed to; nil
    ///     for a channel that carries them all (an inbox).
    ///   - after: The stream position at subscription, if the server said;
    ///     otherwise the sequence check starts at the first publication.
    mutating func add(
        _ deliveries: [Delivery], conversation: Int?, after: UInt64?,
        acknowledgements: [UInt64: MessagePoster.Acknowledgement]
    ) {
        var previous = after ?? deliveries.first.map { $0.offset - 1 }
        var seen = Set<UInt64>()
        for delivery in deliveries {
            if let last = previous, delivery.offset != last + 1 { outOfSequence += 1 }
            previous = max(previous ?? 0, delivery.offset)
            guard delivery.messageID != 0 else { continue }
            guard let acknowledgement = acknowledgements[delivery.messageID] else {
                unmatched += 1
                continue
            }
            guard conversation == nil || acknowledgement.conversation == conversation else {
                misrouted += 1
                continue
            }
            guard seen.insert(delivery.messageID).inserted else {
                duplicated += 1
                continue
            }
            delivered += 1
            latencies.record(.nanoseconds(max(0, (delivery.at - acknowledgement.at).nanoseconds)))
            lastDelivery = max(lastDelivery ?? delivery.at, delivery.at)
        }
    }
}
