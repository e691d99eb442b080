import ParleyDomain
import ParleyProjections

// Chatwoot's JSON for accounts, users, agents, inboxes, teams, labels,
// canned responses and webhooks.

extension JSONOut {
    static func account(_ account: AccountView) -> JSONOut {
        [
            "id": .uint(account.id), "name": .string(account.name), "locale": .string(account.locale),
            "domain": nil, "support_email": nil, "status": "active", "created_at": .seconds(account.createdAt),
            "custom_attributes": [:],
        ]
    }

    /// A platform user; `accessToken` only in the response that created the token.
    static func platformUser(_ user: UserView, accessToken: String?) -> JSONOut {
        var members: [(String, JSONOut)] = [
            ("id", .uint(user.id)), ("name", .string(user.name)), ("display_name", .string(user.name)),
            ("email", .string(user.email)), ("uid", .string(user.email)), ("type", "User"),
            ("confirmed", true), ("custom_attributes", [:]),
        ]
        if let accessToken { members.append(("access_token", .string(accessToken))) }
        return .object(members)
    }

    /// A user as an agent of an account.
    static func agent(_ user: UserView, role: Role, accountID: UInt64) -> JSONOut {
        [
            "id": .uint(user.id), "account_id": .uint(accountID), "availability_status": .string(user.availability.rawValue),
            "auto_offline": true, "confirmed": true, "email": .string(user.email), "available_name": .string(user.name),
            "name": .string(user.name), "role": .string(role.rawValue), "thumbnail": "", "avatar_url": "", "type": "User",
        ]
    }

    static func accountUser(accountID: UInt64, userID: UInt64, role: Role) -> JSONOut {
        ["account_id": .uint(accountID), "user_id": .uint(userID), "role": .string(role.rawValue)]
    }

    /// An inbox; the HMAC secret only for administrators.
    static func inbox(_ inbox: InboxView, showSecrets: Bool) -> JSONOut {
        let settings = inbox.settings
        return [
            "id": .uint(inbox.id), "account_id": .uint(inbox.accountID), "name": .string(settings.name),
            "channel_id": .uint(inbox.id),
            "channel_type": .string(inbox.channelType == .api ? "Channel::Api" : "Channel::WebWidget"),
            "inbox_identifier": .string(inbox.inboxIdentifier),
            "greeting_enabled": .bool(settings.greetingEnabled), "greeting_message": .string(settings.greetingMessage),
            "out_of_office_message": .string(settings.outOfOfficeMessage),
            "working_hours_enabled": .bool(settings.workingHoursEnabled),
            "working_hours": .array(settings.workingHours.map(workingHours)),
            "timezone": .string(settings.timezone), "hmac_mandatory": .bool(settings.hmacMandatory),
            "hmac_token": showSecrets ? .string(inbox.hmacToken) : nil,
            "enable_auto_assignment": true, "allow_messages_after_resolved": true, "avatar_url": "",
        ]
    }

    static func workingHours(_ hours: WorkingHours) -> JSONOut {
        [
            "day_of_week": .int(Int64(hours.dayOfWeek)), "closed_all_day": .bool(hours.closedAllDay),
            "open_hour": .int(Int64(hours.openMinute / 60)), "open_minutes": .int(Int64(hours.openMinute % 60)),
            "close_hour": .int(Int64(hours.closeMinute / 60)), "close_minutes": .int(Int64(hours.closeMinute % 60)),
        ]
    }

    static func team(_ team: TeamView, isMember: Bool) -> JSONOut {
        [
            "id": .uint(team.id), "name": .string(team.name), "description": .string(team.description),
            "allow_auto_assign": true, "account_id": .uint(team.accountID), "is_member": .bool(isMember),
        ]
    }

    static func label(_ label: LabelView) -> JSONOut {
        [
            "id": .uint(label.id), "title": .string(label.title), "description": .string(label.description),
            "color": .string(label.color), "show_on_sidebar": true,
        ]
    }

    static func cannedResponse(_ canned: CannedResponseView) -> JSONOut {
        [
            "id": .uint(canned.id), "account_id": .uint(canned.accountID), "short_code": .string(canned.shortCode),
            "content": .string(canned.content),
        ]
    }

    static func webhook(_ webhook: WebhookView) -> JSONOut {
        [
            "id": .uint(webhook.id), "account_id": .uint(webhook.accountID), "url": .string(webhook.url),
            "subscriptions": .array(webhook.subscriptions.map { .string($0) }), "name": nil,
        ]
    }
}
