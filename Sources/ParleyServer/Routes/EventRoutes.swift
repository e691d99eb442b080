import Foundation
import Hummingbird
import NIOCore
import ParleyDomain
import ParleyLog
import ParleyProjections

/// `GET /api/v1/accounts/{account_id}/events?stream=&after=&limit=`: Parley's
/// own event log, one stream at a time, as the events' envelopes
/// (`Schemas/events/envelope.v1.json`).
///
/// A page is `{"epoch", "events", "next_after"}`: `after` and `next_after`
/// are sequence numbers in the stream, so a client that keeps `next_after`
/// (and the epoch it came with) resumes without gaps or duplicates. Without
/// `stream`, administrators read the account's stream `account:{id}`; any
/// caller may name a stream they may read (see ``EventStream``). A stream the
/// caller may not read answers 404, like one that does not exist.
extension ParleyAPI {
    func addEventRoutes(to router: Router<ParleyRequestContext>) {
        router.get("api/v1/accounts/:account_id/events") { request, context in try await self.events(request, context: context) }
    }

    /// The largest page.
    static let maxEventsPerPage = 1000

    func events(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let member = try requireMember(request, context: context)
        let query = QueryParameters(request)
        let after = try sequence(query, "after") ?? 0
        let limit = try query.int("limit", in: 1...Self.maxEventsPerPage) ?? 100
        let stream: EventStream
        if let name = try query.string("stream", maxLength: 200) {
            guard let parsed = EventStream(name, account: member.accountID), mayRead(parsed, member) else {
                throw APIError.notFound("stream \(name)")
            }
            stream = parsed
        } else {
            guard member.isAdministrator else {
                throw APIError.badRequest(
                    "missing_field", "stream is required: agents read the streams of their inboxes, conversations and their own")
            }
            stream = .account(member.accountID)
        }
        let name = stream.name
        let entries = try await ledger.log.read(stream: name, after: after, limit: limit)
        var events: [[UInt8]] = []
        // A user's stream spans accounts: only this account's events are shown.
        for entry in entries where entry.accountID == member.accountID {
            events.append(try EnvelopeJSON.write(entry, epoch: epoch))
        }
        let nextAfter = entries.compactMap { $0.seq(in: name) }.max() ?? after
        return Self.eventPage(epoch: epoch, events: events, nextAfter: nextAfter)
    }

    /// Whether `member` may read `stream` of their account: administrators
    /// the account's streams, its audit trail and every inbox, conversation
    /// and contact of it; agents the inboxes they belong to and those
    /// inboxes' conversations; everyone their own user stream (filtered to
    /// this account's events).
    func mayRead(_ stream: EventStream, _ member: Member) -> Bool {
        let account = member.accountID
        return read { projections in
            switch stream {
            case .account, .audit:
                return member.isAdministrator
            case .inbox(_, let inbox):
                guard projections.directory.inbox(inbox, account: account) != nil else { return false }
                return member.isAdministrator || projections.conversations.userMaySee(member.user.id, inbox: inbox, account: account)
            case .conversation(_, let id):
                guard let conversation = projections.conversations.conversation(account: account, id: id) else { return false }
                return projections.conversations.userMaySee(member.user.id, inbox: conversation.inboxID, account: account)
                    || member.isAdministrator
            case .contact(_, let contact):
                return member.isAdministrator && projections.directory.contact(contact, account: account) != nil
            case .user(let user):
                return user == member.user.id
            }
        }
    }

    /// A non-negative sequence number from the query.
    private func sequence(_ query: QueryParameters, _ key: String) throws -> UInt64? {
        guard let text = try query.string(key, maxLength: 24), !text.isEmpty else { return nil }
        guard let value = UInt64(text) else { throw APIError.invalid(key, "must be a non-negative integer sequence number") }
        return value
    }

    /// The page's JSON, with each envelope written as the event encoder made it.
    static func eventPage(epoch: String, events: [[UInt8]], nextAfter: UInt64) -> Response {
        var bytes = Array("{\"epoch\":".utf8)
        JSONOut.string(epoch).write(into: &bytes)
        bytes.append(contentsOf: ",\"events\":[".utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: event)
        }
        bytes.append(contentsOf: "],\"next_after\":".utf8)
        JSONOut.uint(nextAfter).write(into: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// A stream of one account, parsed from its name (``StreamNames``).
enum EventStream: Hashable {
    case account(UInt64)
    case audit(UInt64)
    case inbox(account: UInt64, UInt64)
    case conversation(account: UInt64, UInt64)
    case contact(account: UInt64, UInt64)
    case user(UInt64)

    /// Parses `name`; nil unless it is a well-formed stream of `account`
    /// (or a user stream, which spans accounts).
    init?(_ name: String, account: UInt64) {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts[1...].allSatisfy(Self.isNumber) else { return nil }
        let numbers = parts[1...].map { UInt64($0)! }
        switch (parts[0], numbers.count) {
        case ("user", 1): self = .user(numbers[0])
        case ("account", 1) where numbers[0] == account: self = .account(account)
        case ("audit", 1) where numbers[0] == account: self = .audit(account)
        case ("inbox", 2) where numbers[0] == account: self = .inbox(account: account, numbers[1])
        case ("conversation", 2) where numbers[0] == account: self = .conversation(account: account, numbers[1])
        case ("contact", 2) where numbers[0] == account: self = .contact(account: account, numbers[1])
        default: return nil
        }
    }

    /// Decimal digits without a leading zero, small enough for an id.
    private static func isNumber(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 15, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return text == "0" || !text.hasPrefix("0")
    }

    var name: String {
        switch self {
        case .account(let account): StreamNames.account(account)
        case .audit(let account): StreamNames.audit(account)
        case .inbox(let account, let inbox): StreamNames.inbox(account, inbox)
        case .conversation(let account, let conversation): StreamNames.conversation(account, conversation)
        case .contact(let account, let contact): StreamNames.contact(account, contact)
        case .user(let user): StreamNames.user(user)
        }
    }
}
