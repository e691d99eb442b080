import ParleyDomain
import ParleyProjections

// Chatwoot's JSON for accounts, users, agents, inboxes, teams, labels,
// canned responses, webhooks and audit entries: the keys of its jbuilder
// views, and what the SDK's pydantic types require.

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

    /// A user as an agent of an account (Chatwoot's `_agent` partial). Never a token.
    static func agent(_ user: UserView, role: Role, accountID: UInt64) -> JSONOut {
        [
            "id": .uint(user.id), "account_id": .uint(accountID),
            "availability_status": .string(user.availability.rawValue), "auto_offline": true, "confirmed": true,
            "email": .string(user.email), "provider": "email", "available_name": .string(user.name),
            "name": .string(user.name), "role": .string(role.rawValue), "thumbnail": "",
        ]
    }

    static func accountUser(accountID: UInt64, userID: UInt64, role: Role) -> JSONOut {
        ["account_id": .uint(accountID), "user_id": .uint(userID), "role": .string(role.rawValue)]
    }

    /// An inbox as Chatwoot's `_inbox` partial shows an API or web widget
    /// channel. The HMAC token only for administrators; the identifier
    /// contacts use is `inbox_identifier` (and `website_token` for widgets).
    static func inbox(_ inbox: InboxView, showSecrets: Bool) -> JSONOut {
        let settings = inbox.settings
        let isWidget = inbox.channelType == .webWidget
        var members: [(String, JSONOut)] = [
            ("id", .uint(inbox.id)), ("account_id", .uint(inbox.accountID)), ("avatar_url", ""),
            ("channel_id", .uint(inbox.id)), ("name", .string(settings.name)),
            ("channel_type", .string(isWidget ? "Channel::WebWidget" : "Channel::Api")),
            ("greeting_enabled", .bool(settings.greetingEnabled)), ("greeting_message", .string(settings.greetingMessage)),
            ("working_hours_enabled", .bool(settings.workingHoursEnabled)), ("enable_email_collect", true),
            ("csat_survey_enabled", false), ("enable_auto_assignment", .bool(settings.enableAutoAssignment ?? false)),
            ("auto_assignment_config", ["max_assignment_limit": settings.maxAssignmentLimit.map { .int(Int64($0)) } ?? .null]),
            ("first_response_threshold", settings.firstResponseThreshold.map { .int(Int64($0)) } ?? .null),
            ("out_of_office_message", .string(settings.outOfOfficeMessage)),
            ("working_hours", .array(settings.workingHours.map(workingHours))), ("timezone", .string(settings.timezone)),
            ("allow_messages_after_resolved", true), ("lock_to_single_conversation", false),
            ("widget_color", nil), ("website_url", nil), ("hmac_mandatory", .bool(settings.hmacMandatory)),
            ("welcome_title", nil), ("welcome_tagline", nil), ("web_widget_script", nil),
            ("website_token", isWidget ? .string(inbox.inboxIdentifier) : nil), ("reply_time", nil),
            ("webhook_url", .string(inbox.callback?.url)), ("inbox_identifier", .string(inbox.inboxIdentifier)), ("provider", nil),
        ]
        if showSecrets { members.append(("hmac_token", .string(inbox.hmacToken))) }
        return .object(members)
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

    /// A label; Parley shows every label on the sidebar.
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

    /// A webhook as Chatwoot's Webhook model: `webhook_type` is
    /// `account_type`, or `inbox_type` for an API inbox's callback URL, which
    /// also names its inbox (`inbox`, the callback's inbox as given).
    static func webhook(_ webhook: WebhookView, inbox: InboxView?) -> JSONOut {
        var members: [(String, JSONOut)] = [
            ("id", .uint(webhook.id)), ("name", nil), ("url", .string(webhook.url)), ("account_id", .uint(webhook.accountID)),
            ("subscriptions", .array(webhook.subscriptions.map { .string($0) })),
            ("webhook_type", webhook.inboxID == nil ? "account_type" : "inbox_type"),
        ]
        if let inboxID = webhook.inboxID {
            members.append(("inbox", ["id": .uint(inboxID), "name": .string(inbox?.settings.name)]))
        }
        return .object(members)
    }

    /// An audit entry as Chatwoot's `audit_logs` list shows one. `action` is
    /// Parley's event type (`inbox.created`) or the recorded action (`sign_in`);
    /// `username` is the acting user's email, as Chatwoot records it.
    static func auditEntry(_ entry: AuditEntry, user: UserView?) -> JSONOut {
        [
            "id": .uint(entry.offset), "auditable_id": .uint(entry.targetID), "auditable_type": .string(entry.targetType),
            "action": .string(entry.action), "user_id": entry.actor.type == .agent ? .uint(entry.actor.id) : nil,
            "user_type": entry.actor.type == .agent ? "User" : nil, "username": .string(user?.email),
            "created_at": .seconds(entry.time), "remote_address": .string(entry.ipAddress), "audited_changes": [:],
        ]
    }
}

extension JSONOut {
    /// The caller's own profile (Chatwoot's `_user` partial). `accessToken` is
    /// the token the caller presented: Chatwoot shows a user their own token.
    /// `account_id` and `role` are of the first of their accounts.
    static func profile(_ user: UserView, accessToken: String, memberships: [(account: AccountView, role: Role)]) -> JSONOut {
        let first = memberships.first
        return [
            "id": .uint(user.id), "access_token": .string(accessToken), "account_id": .uint(first?.account.id),
            "available_name": .string(user.name), "avatar_url": "", "confirmed": true, "display_name": .string(user.name),
            "message_signature": nil, "email": .string(user.email), "name": .string(user.name), "provider": "email",
            "custom_attributes": [:], "role": .string(first?.role.rawValue), "ui_settings": [:], "uid": .string(user.email),
            "type": "User", "availability_status": .string(user.availability.rawValue),
            "accounts": .array(
                memberships.map { membership in
                    [
                        "id": .uint(membership.account.id), "name": .string(membership.account.name), "status": "active",
                        "active_at": nil, "role": .string(membership.role.rawValue),
                        "permissions": [.string(membership.role.rawValue)],
                        "availability": .string(user.availability.rawValue),
                        "availability_status": .string(user.availability.rawValue), "auto_offline": true,
                    ]
                }),
        ]
    }
}
