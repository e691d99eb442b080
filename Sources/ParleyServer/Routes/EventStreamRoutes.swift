import HTTPTypes
import Hummingbird
import ParleyDomain
import ParleyLog

/// `GET /api/v1/accounts/{account_id}/events/stream?channels=`: the
/// publications of up to 32 channels as Server-Sent Events, for clients that
/// only read (`Schemas/event-stream.md`).
///
/// Everything is checked before the response starts: the channel list
/// (400), each channel as the events route checks a stream (404 for one the
/// caller may not read, exactly as for one that does not exist), and the
/// `Last-Event-ID` presented. An id that cannot be resumed from is not an
/// error: the stream opens with an `unrecoverable` event and goes on live, so
/// a client always knows whether it missed something.
extension ParleyAPI {
    func addEventStreamRoutes(to router: Router<ParleyRequestContext>) {
        router.get("api/v1/accounts/:account_id/events/stream") { request, context in
            try await self.eventStream(request, context: context)
        }
    }

    /// The most channels one stream carries.
    static let maxStreamChannels = 32

    /// How often a stream re-checks its caller's access when pings are off.
    static let streamAccessRecheck: Duration = .seconds(30)

    func eventStream(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        // Read before access is checked: a revocation folded after this moves it.
        let allowedAt = ledger.accessVersion
        let member = try requireMember(request, context: context)
        let query = QueryParameters(request)
        let channels = try streamChannels(query)
        var streams: [EventStream] = []
        for name in channels {
            guard let stream = EventStream(name, account: member.accountID), mayRead(stream, member) else {
                throw APIError.notFound("channel \(name)")
            }
            streams.append(stream)
        }
        let presented = try request.headers[.lastEventID] ?? query.string("last_event_id", maxLength: 4096)
        var heads: [UInt64] = []
        for name in channels {
            heads.append(try await ledger.log.head(of: name))
        }
        var start = heads
        var opening = EventStreamSession.Opening.positioned
        if let presented, !presented.isEmpty {
            switch EventStreamPosition.resume(presented, epoch: epoch, channels: channels, heads: heads) {
            case .success(let positions): start = positions
            case .failure(let refusal): opening = .unrecoverable(refusal)
            }
        }
        let accountID = member.accountID
        let readable = streams
        let session = EventStreamSession(
            log: ledger.log, epoch: epoch, accountID: accountID,
            typist: Actor(type: .agent, id: member.user.id), channels: channels, start: start, opening: opening,
            tick: configuration.pingInterval > 0 ? .seconds(configuration.pingInterval) : Self.streamAccessRecheck,
            pings: configuration.pingInterval > 0,
            mayContinue: { [self] in self.mayStillRead(readable, request, accountID: accountID) },
            allowedAt: allowedAt, accessVersion: { [ledger] in ledger.accessVersion },
            logger: context.logger)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .accelBuffering: "no"],
            body: ResponseBody { writer in await session.run(request: request, writer: &writer) })
    }

    /// The `channels` parameter: comma-separated names, the parameter may be
    /// repeated (the lists are joined in order); at least one name, at most
    /// ``maxStreamChannels``, none empty or twice.
    private func streamChannels(_ query: QueryParameters) throws -> [String] {
        let values = try query.strings("channels", maxLength: Self.maxStreamChannels * 201)
        guard values.contains(where: { !$0.isEmpty }) else {
            throw APIError.badRequest("missing_field", "channels is required: a comma-separated list of channel names")
        }
        var names: [String] = []
        for value in values {
            for name in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard !name.isEmpty else { throw APIError.invalid("channels", "holds an empty channel name") }
                guard name.utf8.count <= 200 else { throw APIError.invalid("channels", "a channel name is longer than 200 bytes") }
                names.append(String(name))
            }
        }
        guard names.count <= Self.maxStreamChannels else {
            throw APIError.invalid("channels", "at most \(Self.maxStreamChannels) channels, not \(names.count)")
        }
        guard Set(names).count == names.count else { throw APIError.invalid("channels", "names a channel more than once") }
        return names
    }

    /// Whether the token of `request` still belongs to a member of the
    /// account who may read every one of `streams`.
    private func mayStillRead(_ streams: [EventStream], _ request: Request, accountID: UInt64) -> Bool {
        guard let user = try? requireUser(request) else { return false }
        let member = read { projections -> Member? in
            guard let account = projections.directory.account(accountID), let role = account.members[user.id] else { return nil }
            return Member(user: user, account: account, role: role)
        }
        guard let member else { return false }
        return streams.allSatisfy { mayRead($0, member) }
    }
}

extension HTTPField.Name {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    /// Tells nginx not to buffer the response.
    static let accelBuffering = HTTPField.Name("X-Accel-Buffering")!
}
