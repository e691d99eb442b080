// FAQ entries, notifications read, the reactor's start and the "waiting too long" check.

extension Decision {
    func saveFAQ(id: UInt64?, entry: FAQEntry) throws(DomainError) -> [DomainEvent] {
        _ = try accountAsAdministrator()
        let question = entry.question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty, question.count <= 1000 else {
            throw .invalid(field: "question", reason: "1 to 1000 characters")
        }
        guard !entry.answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalid(field: "answer", reason: "must not be empty")
        }
        guard entry.answer.count <= Limits.maxContentLength else {
            throw .contentTooLong(length: entry.answer.count, limit: Limits.maxContentLength)
        }
        let keywords = entry.keywords.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard !keywords.isEmpty, keywords.count <= 50 else {
            throw .invalid(field: "keywords", reason: "1 to 50 keywords: an entry without keywords never matches")
        }
        for keyword in keywords where keyword.count > 100 || KeywordScore.words(keyword).isEmpty {
            throw .invalid(field: "keywords", reason: "\"\(keyword.prefix(100))\": up to 100 characters with a letter or digit")
        }
        if let id, state.automation.accounts[accountID]?.faqs[id] == nil { throw .notFound("faq \(id)") }
        return [
            event(
                .faqSaved(
                    FAQSaved(
                        faqID: id ?? state.automation.nextFAQID, question: question, keywords: keywords, answer: entry.answer,
                        active: entry.active)),
                streams: [StreamNames.account(accountID)])
        ]
    }

    func deleteFAQ(id: UInt64) throws(DomainError) -> [DomainEvent] {
        _ = try accountAsAdministrator()
        guard state.automation.accounts[accountID]?.faqs[id] != nil else { throw .notFound("faq \(id)") }
        return [event(.faqDeleted(FAQDeleted(faqID: id)), streams: [StreamNames.account(accountID)])]
    }

    func readNotifications(ids: [UInt64]?) throws(DomainError) -> [DomainEvent] {
        guard case .user(let user) = command.principal else { throw .forbidden("users read their own notifications") }
        _ = try account()
        let unread = state.automation.unread[user] ?? []
        let chosen: [UInt64]
        if let ids {
            for id in ids {
                guard let record = state.automation.notifications[id], record.userID == user, record.accountID == accountID else {
                    throw .notFound("notification \(id)")
                }
            }
            chosen = Set(ids).filter(unread.contains).sorted()
        } else {
            chosen = unread.filter { state.automation.notifications[$0]?.accountID == accountID }.sorted()
        }
        guard !chosen.isEmpty else { return [] }
        return [
            event(.notificationsRead(NotificationsRead(userID: user, notificationIDs: chosen)), streams: [StreamNames.user(user)])
        ]
    }

    func startAutomation(offset: UInt64) throws(DomainError) -> [DomainEvent] {
        guard command.principal == .bot else { throw .forbidden("the bot's only") }
        guard state.automation.cursor == nil else { return [] }
        return [
            event(
                .automationReacted(
                    AutomationReacted(
                        triggerOffset: offset, conversationID: nil, greeted: false, outOfOfficePeriod: nil, faqID: nil,
                        assignmentQueued: nil)),
                streams: [StreamNames.automation(accountID)])
        ]
    }

    /// A `sla_missed_first_response` notification for each conversation
    /// whose oldest unanswered incoming message is older than its inbox's
    /// threshold: to the assignee, or to every member of the inbox when none.
    func notifyWaiting() throws(DomainError) -> [DomainEvent] {
        guard command.principal == .bot else { throw .forbidden("the bot's only") }
        var events: [DomainEvent] = []
        var nextID = state.automation.nextNotificationID
        for (accountID, automation) in state.automation.accounts.sorted(by: { $0.key < $1.key }) {
            guard let account = state.accounts[accountID] else { continue }
            for id in automation.waiting.sorted() {
                guard let conversation = account.conversations[id], conversation.status != .resolved,
                    let since = automation.conversations[id]?.waitingSince,
                    let threshold = account.inboxes[conversation.inboxID]?.settings.firstResponseThreshold,
                    now >= since + UInt64(threshold) * 1000
                else { continue }
                let recipients = conversation.assigneeID.map { [$0] } ?? (account.inboxes[conversation.inboxID]?.members.sorted() ?? [])
                for user in recipients {
                    events.append(
                        DomainEvent(
                            accountID: accountID, actor: actor, streams: [StreamNames.user(user)],
                            body: .notificationCreated(
                                NotificationCreated(
                                    notificationID: nextID, userID: user, notificationType: .slaMissedFirstResponse,
                                    conversationID: id, messageID: nil))))
                    nextID += 1
                }
            }
        }
        return events
    }
}
