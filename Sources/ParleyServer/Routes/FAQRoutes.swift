import Foundation
import Hummingbird
import ParleyDomain
import ParleyProjections

/// `/api/v1/accounts/{id}/faqs`: the entries the FAQ auto-answer matches
/// incoming messages against. Members read them; administrators keep them.
extension ParleyAPI {
    func addFAQRoutes(to account: RouterGroup<ParleyRequestContext>) {
        account.get("faqs") { request, context in
            let member = try self.requireMember(request, context: context)
            let entries = self.read { $0.automation.faqs(account: member.accountID) }
            return JSONResponse(["payload": .array(entries.map(JSONOut.faq))])
        }
        account.get("faqs/:faq_id") { request, context in
            let member = try self.requireMember(request, context: context)
            return JSONResponse(.faq(try self.faq(try context.pathID("faq_id"), of: member)))
        }
        account.post("faqs") { request, context in try await self.saveFAQ(request, context: context, id: nil) }
        for method in [HTTPRequest.Method.patch, .put] {
            account.on("faqs/:faq_id", method: method) { request, context in
                try await self.saveFAQ(request, context: context, id: try context.pathID("faq_id"))
            }
        }
        account.delete("faqs/:faq_id") { request, context in
            let member = try self.requireAdministrator(request, context: context)
            let id = try context.pathID("faq_id")
            _ = try await self.execute(member.command(.deleteFAQ(id: id)), idempotencyKey: try self.idempotencyKey(request))
            return Self.emptyOK
        }
    }

    private func faq(_ id: UInt64, of member: Member) throws -> FAQView {
        guard let entry = read({ $0.automation.faq(id, account: member.accountID) }) else { throw APIError.notFound("faq \(id)") }
        return entry
    }

    /// Creates (`id` nil: every field but `active` required) or edits an entry (fields given replace theirs).
    private func saveFAQ(_ request: Request, context: ParleyRequestContext, id: UInt64?) async throws -> JSONResponse {
        let member = try requireAdministrator(request, context: context)
        var body = try await self.body(request)
        let current = try id.map { try faq($0, of: member) }
        var entry = FAQEntry(
            question: current?.question ?? "", keywords: current?.keywords ?? [], answer: current?.answer ?? "",
            active: current?.active ?? true)
        if let question = try body.string("question", maxLength: 4000) { entry.question = question }
        if let keywords = try body.strings("keywords", maxCount: 50, maxLength: 400) { entry.keywords = keywords }
        if let answer = try body.string("answer", maxLength: Limits.maxContentLength * 4) { entry.answer = answer }
        if let active = try body.bool("active") { entry.active = active }
        if current == nil {
            for field in ["question", "keywords", "answer"] where !body.has(field) {
                throw APIError.badRequest("missing_field", "\(field) is required")
            }
        }
        try body.finish()
        let outcome = try await execute(member.command(.saveFAQ(id: id, entry: entry)), idempotencyKey: try idempotencyKey(request))
        let saved = try outcome.first { if case .faqSaved(let e) = $0 { e.faqID } else { nil } }
        return JSONResponse(.faq(try faq(saved, of: member)))
    }
}
