import Foundation
import NIOHTTP1
import ParleyControl
import ParleyLoadKit
import ParleyProjections
import Testing

/// `parleyctl replay`: report metrics straight from the log, checked against
/// the analytics projection on the same data.
@Suite("parleyctl replay")
struct ReplayCommandTests {
    /// One row of the JSON output.
    struct Row: Hashable {
        var metric: String
        var timestamp: UInt64
        var group: String?
        var value: Double
        var count: Int

        /// Equal, the value to the last digits: Foundation's JSON parser may
        /// read a fraction's last digit one unit off.
        func matches(_ other: Row) -> Bool {
            metric == other.metric && timestamp == other.timestamp && group == other.group && count == other.count
                && abs(value - other.value) <= 1e-12 * max(1, abs(other.value))
        }
    }

    static func same(_ rows: [Row], _ expected: [Row]) -> Bool {
        rows.count == expected.count && zip(rows, expected).allSatisfy { $0.matches($1) }
    }

    static func rows(_ run: ToolRun, column: String?) throws -> [Row] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        return try rows.map { row in
            let group: String? =
                switch column.flatMap({ row[$0] }) {
                case let number as NSNumber: number.stringValue
                case let text as String: text
                default: nil
                }
            return Row(
                metric: try #require(row["metric"] as? String), timestamp: try #require((row["timestamp"] as? NSNumber)?.uint64Value),
                group: group, value: try #require((row["value"] as? NSNumber)?.doubleValue),
                count: try #require((row["count"] as? NSNumber)?.intValue))
        }
    }

    @Test("every metric, period, timezone and grouping equals the analytics projection's time series")
    func equalsTheProjection() async throws {
        let scratch = try ScratchDirectory(prefix: "parley-replay")
        defer { scratch.remove() }
        let data = scratch.path + "/data"
        let history = try await ReportHistory.write(to: data, commands: 1500, seed: 11)
        let analytics = history.analytics
        // A range that starts and ends inside buckets, leaving history out at both ends.
        let since = ReportHistory.start + 3 * 86_400 + 4321
        let until = history.end - 5 * 86_400 - 777
        #expect(until > since + 60 * 86_400)

        let cases: [(period: ReportGrouping?, dimension: ReplayQuery.Dimension?, offset: Double)] = [
            (.day, nil, 0), (.week, .agent, 5.5), (.month, .inbox, -8), (.week, .team, 0), (.month, .label, 3), (nil, .agent, 0),
            (.hour, nil, -3.5),
        ]
        var compared = 0
        for (period, dimension, offset) in cases {
            // Hours over months would be many rows: one week of them.
            let end = period == .hour ? since + 7 * 86_400 : until
            var arguments = [
                "replay", "--data", data, "--account", "1", "--from", String(since), "--to", String(end), "--format", "json",
                "--timezone-offset=\(offset)", "--group-by", [period?.rawValue ?? "range", dimension?.rawValue].compactMap { $0 }.joined(separator: ","),
            ]
            arguments += ["--metric", "all"]
            let run = try await ParleyCtl.run(arguments)
            #expect(run.status == 0, "\(run.errorOutput)")
            let rows = try Self.rows(run, column: dimension?.rawValue == "label" ? "label" : dimension.map { "\($0.rawValue)_id" })
            let groups = Set(rows.map(\.group))
            if dimension != nil { #expect(groups.count > 1, "\(arguments)") }
            for metric in ReportMetric.allCases {
                for group in groups {
                    let scope: ReportScope
                    switch (dimension, group) {
                    case (nil, _): scope = .account
                    case (_, nil): continue
                    case (.agent, let id?): scope = .agent(UInt64(id)!)
                    case (.inbox, let id?): scope = .inbox(UInt64(id)!)
                    case (.team, let id?): scope = .team(UInt64(id)!)
                    case (.label, let label?): scope = .label(label)
                    }
                    let replayed = rows.filter { $0.metric == metric.rawValue && $0.group == group }
                    let expected: [Row]
                    if let period {
                        expected = try analytics.timeseries(
                            account: 1, metric: metric, scope: scope, since: since, until: end, grouping: period, timezoneOffset: offset
                        ).map { Row(metric: metric.rawValue, timestamp: $0.timestamp, group: group, value: $0.value, count: $0.count) }
                    } else {
                        let summary = analytics.summary(account: 1, scope: scope, since: since, until: end)[metric]!
                        let count = analytics.facts(account: 1, metric: metric, scope: scope, since: since, until: end).count
                        expected = [Row(metric: metric.rawValue, timestamp: since, group: group, value: summary.current, count: count)]
                    }
                    #expect(Self.same(replayed, expected), "\(metric) \(scope) \(arguments): \(replayed) != \(expected)")
                    compared += expected.count
                }
                if dimension == .agent || dimension == .team {
                    // The groups, "none" included, add up to the account's counts.
                    let byBucket = Dictionary(grouping: rows.filter { $0.metric == metric.rawValue }, by: \.timestamp)
                    let account = Dictionary(
                        uniqueKeysWithValues: try analytics.timeseries(
                            account: 1, metric: metric, scope: .account, since: since, until: end, grouping: period ?? .month,
                            timezoneOffset: offset
                        ).map { ($0.timestamp, $0.count) })
                    if period != nil {
                        for (bucket, rows) in byBucket { #expect(rows.reduce(0) { $0 + $1.count } == account[bucket], "\(metric) \(bucket)") }
                    }
                }
            }
        }
        #expect(compared > 1000)
    }

    @Test("equals the running server's reports API, and its CSV says the same as its JSON")
    func equalsTheServersReports() async throws {
        let scratch = try ScratchDirectory(prefix: "parley-replay")
        defer { scratch.remove() }
        let data = scratch.path + "/data"
        let server = try await HTTPServerProcess.start(executable: try Executables.path(of: "parley"), dataDirectory: data)
        let client = try await TestClient.connect(to: server)
        do {
            let history = try await ChatHistory.make(on: server, conversations: 9)
            let account = history.workspace.accountID
            let now = UInt64(Date().timeIntervalSince1970)
            let (since, until) = (now - 2 * 86_400, now + 86_400)
            let common = ["replay", "--data", data, "--account", String(account), "--from", String(since), "--to", String(until)]
            let json = try await ParleyCtl.run(common + ["--group-by", "day,agent", "--format", "json", "--metric", "all"])
            #expect(json.status == 0, "\(json.errorOutput)")
            let rows = try Self.rows(json, column: "agent_id")
            #expect(Set(rows.compactMap(\.group)) == Set(history.agents.map(String.init)))
            for metric in ReportMetric.allCases {
                for agent in history.agents {
                    let path = "/api/v2/accounts/\(account)/reports?metric=\(metric.rawValue)&type=agent&id=\(agent)&since=\(since)&until=\(until)&group_by=day"
                    let points = try #require(try await client.call(.GET, path, token: history.workspace.accessToken) as? [[String: Any]])
                    let expected = points.map {
                        Row(
                            metric: metric.rawValue, timestamp: ($0["timestamp"] as? NSNumber)?.uint64Value ?? 0, group: String(agent),
                            value: ($0["value"] as? NSNumber)?.doubleValue ?? Double(($0["value"] as? String) ?? "") ?? -1,
                            count: ($0["count"] as? NSNumber)?.intValue ?? -1)
                    }
                    let replayed = rows.filter { $0.metric == metric.rawValue && $0.group == String(agent) }
                    #expect(Self.same(replayed, expected), "\(metric) agent \(agent): \(replayed) != \(expected)")
                }
            }
            let total = try await ParleyCtl.run(common + ["--group-by", "range", "--metric", "conversations_count,incoming_messages_count,resolutions_count"])
            #expect(total.status == 0, "\(total.errorOutput)")
            #expect(total.output == "metric,timestamp,value,count\nconversations_count,\(since),9,9\nincoming_messages_count,\(since),9,9\nresolutions_count,\(since),5,5\n")

            let csv = try await ParleyCtl.run(common + ["--group-by", "agent,day", "--json", "--out", scratch.path + "/report.csv"])
            #expect(csv.status == 0, "\(csv.errorOutput)")
            let summary = try csv.summary()
            #expect(integer(summary, "events") ?? 0 > 40)
            #expect(summary["events_per_s"] is NSNumber)
            #expect(integer(summary, "rows") == rows.count)
            let lines = try String(contentsOfFile: scratch.path + "/report.csv", encoding: .utf8).split(separator: "\n")
            #expect(lines.first == "metric,timestamp,agent_id,value,count")
            let fromCSV = lines.dropFirst().map { line -> Row in
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                return Row(metric: fields[0], timestamp: UInt64(fields[1])!, group: fields[2].isEmpty ? nil : fields[2], value: Double(fields[3])!, count: Int(fields[4])!)
            }
            #expect(Self.same(fromCSV, rows))
        } catch {
            await client.close()
            await server.stop()
            throw error
        }
        await client.close()
        await server.stop()
    }

    @Test("bad input: one line naming the problem and a non-zero exit")
    func badInput() async throws {
        let scratch = try ScratchDirectory(prefix: "parley-replay")
        defer { scratch.remove() }
        let data = scratch.path + "/data"
        _ = try await ReportHistory.write(to: data, commands: 40, seed: 3)
        let base = ["replay", "--data", data, "--account", "1", "--from", "2024-01-01", "--to", "2024-03-01"]
        let cases: [([String], String)] = [
            (base + ["--metric", "happiness"], "unknown metric \"happiness\""),
            (base + ["--group-by", "year"], "unknown --group-by \"year\""),
            (base + ["--group-by", "day,week"], "--group-by takes one period"),
            (base + ["--group-by", "agent,inbox"], "--group-by takes one of agent, inbox, team, label"),
            (base + ["--format", "xml"], "--format must be csv or json"),
            (base + ["--timezone-offset", "15"], "--timezone-offset must be hours from UTC"),
            (["replay", "--data", data, "--account", "1", "--from", "yesterday", "--to", "2024-03-01"], "--from \"yesterday\" is neither"),
            (["replay", "--data", data, "--account", "1", "--from", "2024-03-01", "--to", "2024-03-01"], "--from must be before --to"),
            (["replay", "--data", data, "--account", "1", "--from", "0", "--to", "253402300799", "--group-by", "hour"], "more than 100000 hours"),
            (["replay", "--data", data, "--account", "9", "--from", "2024-01-01", "--to", "2024-03-01"], "account 9 has no events in \(data)"),
            (["replay", "--data", scratch.path + "/missing", "--account", "1", "--from", "2024-01-01", "--to", "2024-03-01"], "does not exist"),
        ]
        for (arguments, message) in cases {
            let run = try await ParleyCtl.run(arguments)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.output.isEmpty, "\(arguments)")
            #expect(run.errorOutput.contains(message), "\(arguments): \(run.errorOutput)")
            #expect(run.errorOutput.split(separator: "\n").count == 1, "\(arguments): \(run.errorOutput)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/missing"))
        // Dates in ISO 8601 and seconds are the same range.
        let iso = try await ParleyCtl.run(base + ["--group-by", "week"])
        let seconds = try await ParleyCtl.run(["replay", "--data", data, "--account", "1", "--from", "1704067200", "--to", "1709251200", "--group-by", "week"])
        #expect(iso.status == 0 && seconds.status == 0)
        #expect(iso.output == seconds.output)
    }
}
