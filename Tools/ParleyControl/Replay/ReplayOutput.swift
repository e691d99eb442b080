import Foundation
import ParleyProjections

/// How `parleyctl replay` writes its rows.
public enum ReplayFormat: String, Sendable, CaseIterable {
    case csv, json

    /// The rows as a CSV table with a header line, or as one JSON object
    /// (`{"account", "from", "to", "group_by", "timezone_offset", "rows": […]}`).
    public func render(_ rows: [ReplayRow], query: ReplayQuery) -> String {
        switch self {
        case .csv: Self.csv(rows, query: query)
        case .json: Self.json(rows, query: query)
        }
    }

    private static func csv(_ rows: [ReplayRow], query: ReplayQuery) -> String {
        var columns = ["metric", "timestamp"]
        if let dimension = query.dimension { columns.append(dimension.column) }
        columns += ["value", "count"]
        var lines = [columns.joined(separator: ",")]
        lines.reserveCapacity(rows.count + 1)
        for row in rows {
            var fields = [row.metric.rawValue, String(row.timestamp)]
            if query.dimension != nil { fields.append(row.group.map(csvField) ?? "") }
            fields += [number(row.value), String(row.count)]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func json(_ rows: [ReplayRow], query: ReplayQuery) -> String {
        let groupBy = [query.period?.rawValue, query.dimension?.rawValue].compactMap { $0 }
        var out = "{\"account\":\(query.account),\"from\":\(query.since),\"to\":\(query.until),"
        out += "\"group_by\":[\(groupBy.map { "\"\($0)\"" }.joined(separator: ","))],"
        out += "\"timezone_offset\":\(number(query.timezoneOffset)),\"rows\":["
        for (index, row) in rows.enumerated() {
            if index > 0 { out += "," }
            out += "{\"metric\":\"\(row.metric.rawValue)\",\"timestamp\":\(row.timestamp),"
            if let dimension = query.dimension {
                let member: String
                switch (dimension, row.group) {
                case (_, nil): member = "null"
                case (.label, let label?): member = jsonString(label)
                case (_, let id?): member = id
                }
                out += "\"\(dimension.column)\":\(member),"
            }
            out += "\"value\":\(number(row.value)),\"count\":\(row.count)}"
        }
        return out + "]}\n"
    }

    /// Integral values without a fraction (counts, whole seconds), others in
    /// the shortest form that reads back as the same double.
    static func number(_ value: Double) -> String {
        if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func jsonString(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed, .withoutEscapingSlashes])
        let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }
}
