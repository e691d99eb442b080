/// The text of activity messages, as Chatwoot words them.
enum ActivityText {
    static func status(_ status: ConversationStatus, by actor: String?) -> String {
        let suffix = actor.map { " by \($0)" } ?? ""
        switch status {
        case .open: return "Conversation was reopened\(suffix)"
        case .resolved: return "Conversation was marked resolved\(suffix)"
        case .pending: return "Conversation was marked as pending\(suffix)"
        case .snoozed: return "Conversation was snoozed\(suffix)"
        }
    }

    static func assignee(_ assignee: String?, by actor: String?) -> String {
        let suffix = actor.map { " by \($0)" } ?? ""
        guard let assignee else { return "Conversation unassigned\(suffix)" }
        return "Assigned to \(assignee)\(suffix)"
    }

    static func team(_ team: String?, by actor: String?) -> String {
        let suffix = actor.map { " by \($0)" } ?? ""
        guard let team else { return "Unassigned from team\(suffix)" }
        return "Assigned to team \(team)\(suffix)"
    }

    static func priority(_ priority: Priority?, by actor: String?) -> String {
        let suffix = actor.map { " by \($0)" } ?? ""
        guard let priority else { return "Priority removed\(suffix)" }
        return "Priority set to \(priority.rawValue)\(suffix)"
    }

    static func labels(added: [String], removed: [String], by actor: String?) -> String {
        var parts: [String] = []
        if !added.isEmpty { parts.append("added \(added.joined(separator: ", "))") }
        if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", "))") }
        return "\(actor ?? "Parley") \(parts.joined(separator: " and "))"
    }
}
