import ParleyDomain
import ParleyLog

/// The few facts of a stored event that reports depend on, read straight
/// from its bytes (see ``JSONScanner``); every other event type is skipped
/// unread.
enum ReportEvent {
    case conversationCreated(conversation: UInt64, inbox: UInt64, team: UInt64?, assignee: UInt64?, labels: [String], status: ConversationStatus)
    case assigneeChanged(conversation: UInt64, assignee: UInt64?)
    case teamChanged(conversation: UInt64, team: UInt64?)
    case labelsChanged(conversation: UInt64, labels: [String])
    case statusChanged(conversation: UInt64, status: ConversationStatus)
    case messageCreated(conversation: UInt64, type: MessageType, isPrivate: Bool, sender: Actor?)
    case csatSubmitted(conversation: UInt64, rating: Int)

    /// The types reports read, with the payload version this build reads.
    private static let versions: [String: Int] = [
        ConversationCreated.type: ConversationCreated.version, AssigneeChanged.type: AssigneeChanged.version,
        TeamChanged.type: TeamChanged.version, LabelsChanged.type: LabelsChanged.version,
        ConversationStatusChanged.type: ConversationStatusChanged.version, MessageCreated.type: MessageCreated.version,
        CSATSubmitted.type: CSATSubmitted.version,
    ]

    /// The event `entry` holds, or nil when reports do not depend on its type.
    static func read(_ entry: LogEntry) throws -> ReportEvent? {
        guard let version = versions[entry.type] else { return nil }
        do {
            return try entry.payload.withUnsafeBufferPointer { bytes in
                var scanner = JSONScanner(bytes)
                var found: ReportEvent?
                var storedVersion: UInt64?
                try scanner.forEachMember { key, scanner in
                    if key.equals("payload") {
                        found = try payload(of: entry.type, &scanner)
                    } else if key.equals("version") {
                        storedVersion = try scanner.uint()
                    } else {
                        try scanner.skip()
                    }
                }
                guard storedVersion == UInt64(version) else {
                    throw Unreadable("\(entry.type) version \(storedVersion.map(String.init) ?? "missing"); this build reads \(version)")
                }
                guard let found else { throw Unreadable("it has no payload") }
                return found
            }
        } catch let error as Unreadable {
            throw ControlError("event \(entry.offset) (\(entry.type)) is unreadable: \(error.reason)")
        } catch {
            throw ControlError("event \(entry.offset) (\(entry.type)) is unreadable: \(error)")
        }
    }

    private struct Unreadable: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The members of the payload, by event type.
    private final class Members {
        var conversation: UInt64?
        var inbox: UInt64?
        var team: UInt64?
        var assignee: UInt64?
        var labels: [String]?
        var status: String?
        var messageType: UInt64?
        var isPrivate = false
        var sender: Actor?
        var rating: UInt64?
    }

    private static func payload(of type: String, _ scanner: inout JSONScanner) throws -> ReportEvent {
        let members = Members()
        try scanner.forEachMember { key, scanner in
            if key.equals("conversation_id") {
                members.conversation = try scanner.uint()
            } else if key.equals("inbox_id") {
                members.inbox = try scanner.uint()
            } else if key.equals("team_id") {
                members.team = try scanner.optionalUInt()
            } else if key.equals("assignee_id") {
                members.assignee = try scanner.optionalUInt()
            } else if key.equals("labels") {
                members.labels = try scanner.strings()
            } else if key.equals("status") {
                members.status = try scanner.string()
            } else if key.equals("message_type") {
                members.messageType = try scanner.uint()
            } else if key.equals("private") {
                members.isPrivate = try scanner.bool()
            } else if key.equals("sender") {
                members.sender = try sender(&scanner)
            } else if key.equals("rating") {
                members.rating = try scanner.uint()
            } else {
                try scanner.skip()
            }
        }
        guard let conversation = members.conversation else { throw Unreadable("no conversation_id") }
        func status() throws -> ConversationStatus {
            guard let text = members.status, let status = ConversationStatus(rawValue: text) else {
                throw Unreadable("no valid status")
            }
            return status
        }
        switch type {
        case ConversationCreated.type:
            guard let inbox = members.inbox else { throw Unreadable("no inbox_id") }
            return .conversationCreated(
                conversation: conversation, inbox: inbox, team: members.team, assignee: members.assignee,
                labels: members.labels ?? [], status: try status())
        case AssigneeChanged.type:
            return .assigneeChanged(conversation: conversation, assignee: members.assignee)
        case TeamChanged.type:
            return .teamChanged(conversation: conversation, team: members.team)
        case LabelsChanged.type:
            guard let labels = members.labels else { throw Unreadable("no labels") }
            return .labelsChanged(conversation: conversation, labels: labels)
        case ConversationStatusChanged.type:
            return .statusChanged(conversation: conversation, status: try status())
        case MessageCreated.type:
            guard let raw = members.messageType, let messageType = MessageType(rawValue: Int(raw)) else {
                throw Unreadable("no valid message_type")
            }
            return .messageCreated(conversation: conversation, type: messageType, isPrivate: members.isPrivate, sender: members.sender)
        default:
            guard let rating = members.rating, rating <= 5 else { throw Unreadable("no valid rating") }
            return .csatSubmitted(conversation: conversation, rating: Int(rating))
        }
    }

    /// `{"type": …, "id": …}` or null.
    private static func sender(_ scanner: inout JSONScanner) throws -> Actor? {
        if try scanner.skipNull() { return nil }
        var kind: Actor.Kind?
        var id: UInt64?
        try scanner.forEachMember { key, scanner in
            if key.equals("type") {
                kind = Actor.Kind(rawValue: try scanner.string())
            } else if key.equals("id") {
                id = try scanner.uint()
            } else {
                try scanner.skip()
            }
        }
        guard let kind, let id else { throw Unreadable("sender without a valid type and id") }
        return Actor(type: kind, id: id)
    }
}
