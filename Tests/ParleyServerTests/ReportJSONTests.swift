import ParleyProjections
import Testing

@testable import ParleyServer

@Suite struct ReportJSONTests {
    private func text(_ json: JSONOut) -> String { String(decoding: json.bytes, as: UTF8.self) }

    @Test func countsAreIntegersAndTimesKeepTheirFraction() {
        let count = JSONOut.reportPoint(ReportPoint(timestamp: 3600, value: 4, count: 4), metric: .conversationsCount)
        #expect(text(count) == #"{"value":4,"timestamp":3600,"count":4}"#)
        let time = JSONOut.reportPoint(ReportPoint(timestamp: 0, value: 90.5, count: 2), metric: .avgFirstResponseTime)
        #expect(text(time) == #"{"value":90.5,"timestamp":0,"count":2}"#)
    }

    @Test func summaryListsChatwootsMetricsThenThePreviousRange() {
        var summary: [ReportMetric: ReportSummaryValue] = [:]
        for metric in ReportMetric.allCases { summary[metric] = ReportSummaryValue(current: 2, previous: 1) }
        summary[.replyTime] = ReportSummaryValue(current: 12.25, previous: 0)
        let expectedKeys =
            #""conversations_count":2,"incoming_messages_count":2,"outgoing_messages_count":2,"#
            + #""avg_first_response_time":2.0,"avg_resolution_time":2.0,"resolutions_count":2,"#
        #expect(
            text(.reportSummary(summary))
                == "{" + expectedKeys + #""reply_time":12.25,"previous":{"#
                + #""conversations_count":1,"incoming_messages_count":1,"outgoing_messages_count":1,"#
                + #""avg_first_response_time":1.0,"avg_resolution_time":1.0,"resolutions_count":1,"reply_time":0.0}}"#)
    }
}
