import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v2/accounts/{account_id}/reports`: Chatwoot's report time series
/// and summary, for administrators (as Chatwoot allows). The numbers come
/// from the analytics projection; `Schemas/reports.md` defines each metric.
extension ParleyAPI {
    func addReportRoutes(to router: Router<ParleyRequestContext>) {
        router.get("api/v2/accounts/:account_id/reports") { request, context in try await self.report(request, context: context) }
        router.get("api/v2/accounts/:account_id/reports/summary") { request, context in
            try await self.reportSummary(request, context: context)
        }
    }

    /// `?metric=&type=&id=&since=&until=&group_by=&timezone_offset=` →
    /// `[{value, timestamp, count}]`, one entry per bucket.
    func report(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        let query = QueryParameters(request)
        guard let metric = try query.value("metric", as: ReportMetric.self) else { throw Self.missing("metric") }
        let scope = try reportScope(query, account: member.accountID)
        let (since, until) = try reportRange(query)
        let grouping = try query.value("group_by", as: ReportGrouping.self) ?? .day
        let offset = try timezoneOffset(query)
        let points = try read { projections throws(ReportError) in
            try projections.analytics.timeseries(
                account: member.accountID, metric: metric, scope: scope, since: since, until: until, grouping: grouping,
                timezoneOffset: offset)
        }
        return JSONResponse(.array(points.map { .reportPoint($0, metric: metric) }))
    }

    /// `?type=&id=&since=&until=` → Chatwoot's summary with `previous`, the
    /// same length of time just before.
    func reportSummary(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        let query = QueryParameters(request)
        let scope = try reportScope(query, account: member.accountID)
        let (since, until) = try reportRange(query)
        let summary = read { $0.analytics.summary(account: member.accountID, scope: scope, since: since, until: until) }
        return JSONResponse(.reportSummary(summary))
    }

    /// `type` (required) and, except for the account, the `id` of the agent,
    /// inbox, label or team, which must be of this account (else a 404).
    private func reportScope(_ query: QueryParameters, account: UInt64) throws -> ReportScope {
        guard let type = try query.value("type", as: ReportType.self) else { throw Self.missing("type") }
        if try query.string("business_hours").map({ $0 != "false" }) == true {
            throw APIError.invalid("business_hours", "Parley reports in calendar time only; business hours are not supported")
        }
        if type == .account {
            // Chatwoot ignores the id of an account report; a malformed one is still refused.
            _ = try query.id("id")
            return .account
        }
        guard let id = try query.id("id") else { throw Self.missing("id") }
        let scope: ReportScope? = read { projections in
            let directory = projections.directory
            switch type {
            case .account: return .account
            case .agent: return directory.account(account)?.members[id] != nil ? .agent(id) : nil
            case .inbox: return directory.inbox(id, account: account) != nil ? .inbox(id) : nil
            case .team: return directory.team(id, account: account) != nil ? .team(id) : nil
            case .label: return directory.label(id, account: account).map { .label($0.title.lowercased()) }
            }
        }
        guard let scope else { throw APIError.notFound("\(type.rawValue) \(id)") }
        return scope
    }

    /// `since` and `until` (epoch seconds, both required, `since ≤ until`).
    private func reportRange(_ query: QueryParameters) throws -> (since: UInt64, until: UInt64) {
        guard let since = try query.seconds("since") else { throw Self.missing("since") }
        guard let until = try query.seconds("until") else { throw Self.missing("until") }
        guard since <= until else { throw APIError.invalid("since", "must not be after until") }
        return (since, until)
    }

    /// `timezone_offset`: hours from UTC, fractions allowed (5.5), -14 to 14.
    private func timezoneOffset(_ query: QueryParameters) throws -> Double {
        guard let text = try query.string("timezone_offset", maxLength: 24), !text.isEmpty else { return 0 }
        guard let hours = Double(text), hours.isFinite, abs(hours) <= 14 else {
            throw APIError.invalid("timezone_offset", "must be hours from UTC, from -14 to 14")
        }
        return hours
    }

    private static func missing(_ field: String) -> APIError {
        APIError.badRequest("missing_field", "\(field) is required")
    }
}

/// What a report is about, as Chatwoot's `type` names it.
enum ReportType: String, CaseIterable {
    case account, agent, inbox, label, team
}
