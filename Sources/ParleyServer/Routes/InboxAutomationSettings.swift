import ParleyDomain

/// The automation fields of an inbox's create and update bodies: Chatwoot's
/// `enable_auto_assignment`, `auto_assignment_config.max_assignment_limit`
/// and `working_hours`, and Parley's `first_response_threshold` (seconds a
/// contact may wait before the "waiting too long" notification; null turns it off).
extension ParleyAPI {
    func automationSettings(_ body: inout JSONBody, over current: InboxSettings) throws -> InboxSettings {
        var settings = current
        if let enabled = try body.bool("enable_auto_assignment") { settings.enableAutoAssignment = enabled }
        if body.isNull("auto_assignment_config") { settings.maxAssignmentLimit = nil }
        if var config = try body.nested("auto_assignment_config") {
            if config.isNull("max_assignment_limit") { settings.maxAssignmentLimit = nil }
            if let limit = try config.int("max_assignment_limit", in: 1...100_000) { settings.maxAssignmentLimit = limit }
            try config.finish()
        }
        if body.isNull("first_response_threshold") { settings.firstResponseThreshold = nil }
        if let seconds = try body.int("first_response_threshold", in: 1...(30 * 86_400)) { settings.firstResponseThreshold = seconds }
        if let days = try body.nestedArray("working_hours", maxCount: 7) {
            settings.workingHours = try days.map(workingHours)
        }
        return settings
    }

    /// One day of Chatwoot's `working_hours`: `open_all_day` is 00:00 to 24:00.
    private func workingHours(_ day: JSONBody) throws -> WorkingHours {
        var day = day
        guard let weekday = try day.int("day_of_week", in: 0...6) else {
            throw APIError.badRequest("missing_field", "working_hours: day_of_week is required")
        }
        let closed = try day.bool("closed_all_day") ?? false
        let allDay = try day.bool("open_all_day") ?? false
        let open = (try day.int("open_hour", in: 0...23) ?? 0) * 60 + (try day.int("open_minutes", in: 0...59) ?? 0)
        let close = (try day.int("close_hour", in: 0...24) ?? 0) * 60 + (try day.int("close_minutes", in: 0...59) ?? 0)
        try day.finish()
        if allDay { return WorkingHours(dayOfWeek: weekday, closedAllDay: false, openMinute: 0, closeMinute: 1440) }
        return WorkingHours(dayOfWeek: weekday, closedAllDay: closed, openMinute: closed ? 0 : open, closeMinute: closed ? 0 : close)
    }
}
