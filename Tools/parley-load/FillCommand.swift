import ArgumentParser
import Foundation
import ParleyLoadKit
import ParleyProjections

/// `parley-load fill`: a realistic log to benchmark `parleyctl` on.
struct FillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill",
        abstract: "Appends a realistic chat history of exactly N events to a data directory, through the ledger.",
        discussion: """
            Accounts with agents, inboxes, a team, labels, canned responses, webhooks and audit entries, then \
            conversations: a contact writes in, an agent is assigned, they exchange messages with typing and \
            read markers, labels or a priority are set, and the conversation is resolved. Many conversations \
            run at once, so their commands are group-committed.
            """)

    @Option(help: "Events to append.") var events: Int
    @Option(help: "The data directory (created if missing; its server must be stopped).") var data: String
    @Option(help: "Conversations in progress at once.") var workers = 64
    @Flag(help: "Print one JSON line.") var json = false

    func validate() throws {
        guard events >= 1000 else { throw ValidationError("--events must be at least 1000 (accounts alone take a few hundred)") }
        guard (1...1024).contains(workers) else { throw ValidationError("--workers must be from 1 to 1024") }
    }

    func run() async throws {
        let ledger = try await CommandLedger.open(at: data)
        let report: LogFill.Report
        do {
            report = try await LogFill(events: events, workers: workers).run(on: ledger)
        } catch {
            await ledger.close()
            throw error
        }
        await ledger.close()
        if json {
            try printJSON(report)
        } else {
            print(
                "filled \(data) with \(report.events) events (\(report.accounts) accounts, \(report.conversations) conversations) in \(report.seconds) s: \(Int(report.eventsPerSecond)) events/s"
            )
        }
    }
}
