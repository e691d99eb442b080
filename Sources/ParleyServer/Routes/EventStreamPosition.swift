/// Where an SSE client is in every channel of its request: the `id:` of the
/// stream's events and the `Last-Event-ID` it resumes with
/// (`Schemas/event-stream.md`).
///
/// `<epoch>;<tag>;<seq>,<seq>,…`: the log's epoch, the ``tag(of:)`` of the
/// channel list, and the last sequence delivered in each channel, in the
/// order the request named them. The tag makes an id presented with another
/// channel list (other names, another order) unusable instead of resuming
/// the wrong channels from each other's positions.
struct EventStreamPosition: Equatable {
    var epoch: String
    var tag: String
    var seqs: [UInt64]

    /// Why a presented id cannot be resumed from.
    enum Refusal: String, Error {
        case malformed = "malformed_id"
        case epochChanged = "epoch_changed"
        case channelsChanged = "channels_changed"
        case aheadOfStream = "position_ahead"
    }

    /// The longest id read; 32 channels of 20 digits fit well below it.
    static let maxLength = 1024

    init(epoch: String, channels: [String], seqs: [UInt64]) {
        self.epoch = epoch
        self.tag = Self.tag(of: channels)
        self.seqs = seqs
    }

    private init(epoch: String, tag: String, seqs: [UInt64]) {
        self.epoch = epoch
        self.tag = tag
        self.seqs = seqs
    }

    var text: String {
        epoch + ";" + tag + ";" + seqs.map(String.init).joined(separator: ",")
    }

    /// The positions `text` gives for `channels` of the log with `epoch`,
    /// none past the channel's head (`heads`, in the same order), or why not.
    static func resume(_ text: String, epoch: String, channels: [String], heads: [UInt64]) -> Result<[UInt64], Refusal> {
        guard let position = parse(text) else { return .failure(.malformed) }
        guard position.epoch == epoch else { return .failure(.epochChanged) }
        guard position.tag == tag(of: channels), position.seqs.count == channels.count else {
            return .failure(.channelsChanged)
        }
        guard zip(position.seqs, heads).allSatisfy({ $0 <= $1 }) else { return .failure(.aheadOfStream) }
        return .success(position.seqs)
    }

    /// Parses the format strictly: anything else is nil.
    static func parse(_ text: String) -> EventStreamPosition? {
        guard text.utf8.count <= maxLength else { return nil }
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let epoch = parts[0], tag = parts[1]
        guard (1...64).contains(epoch.utf8.count), epoch.utf8.allSatisfy(isEpochByte) else { return nil }
        guard tag.utf8.count == 8, tag.utf8.allSatisfy(isLowercaseHex) else { return nil }
        var seqs: [UInt64] = []
        for digits in parts[2].split(separator: ",", omittingEmptySubsequences: false) {
            guard let seq = sequence(digits) else { return nil }
            seqs.append(seq)
        }
        return EventStreamPosition(epoch: String(epoch), tag: String(tag), seqs: seqs)
    }

    /// FNV-1a (32 bits) of the channel names joined by commas, as 8 lowercase
    /// hex digits: a check against mix-ups, not a secret.
    static func tag(of channels: [String]) -> String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in channels.joined(separator: ",").utf8 {
            hash = (hash ^ UInt32(byte)) &* 0x0100_0193
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Decimal digits without a leading zero that fit 64 bits.
    private static func sequence(_ digits: Substring) -> UInt64? {
        guard !digits.isEmpty, digits.utf8.count <= 20, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        guard digits == "0" || !digits.hasPrefix("0") else { return nil }
        return UInt64(digits)
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }

    private static func isEpochByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) || byte == 0x2d || byte == 0x5f
    }
}
