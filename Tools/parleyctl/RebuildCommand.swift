import ArgumentParser
import Foundation
import ParleyControl

/// `parleyctl rebuild`: folds the log into fresh projections and swaps them
/// in, or (`--verify`) proves the live ones equal such a rebuild.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuilds projections from the log and swaps them in, or verifies the live ones against a rebuild.",
        discussion: """
            With a server running on the directory, the server does it through its admin channel: it keeps \
            serving, the rebuild includes the writes made meanwhile, and the swap is atomic. Without one, \
            parleyctl opens the directory itself and folds every view afresh without loading the ones it \
            replaces, so it does not say which differed (run --verify first for that). A rebuild writes a fresh checkpoint; --verify changes \
            nothing and exits 1 naming each projection whose live state differs from the log's.
            """)

    @Option(help: "The data directory.") var data: String
    @Option(help: "all, or one of conversations, unread, analytics, audit, directory, automation.") var projection = "all"
    @Flag(help: "Only compare the live projections' digests with a rebuild's.") var verify = false
    @Flag(help: "Print one JSON line (with events and events_per_s).") var json = false

    func run() async throws {
        let summary = try await ProjectionRebuild.run(data: data, projection: projection, verify: verify)
        if json {
            print(String(decoding: try summary.json(), as: UTF8.self))
        } else {
            for (name, comparison) in summary.projections.sorted(by: { $0.key < $1.key }) {
                guard let equal = comparison.equal, let live = comparison.live, let rebuilt = comparison.rebuilt else {
                    print("\(name): rebuilt")
                    continue
                }
                let state = equal ? "matches the log" : summary.swapped ? "differed; replaced" : "DIFFERS from the log"
                print("\(name): \(state) (live \(live), rebuilt \(rebuilt))")
            }
            let rate = Int(summary.eventsPerS)
            let after = summary.differing == nil ? "checkpoint" : summary.swapped ? "digests and checkpoint" : "digests"
            print(
                "\(summary.events) events folded through offset \(summary.offset) in \(String(format: "%.2f", summary.seconds)) s (\(rate) events/s), \(summary.caughtUp) of them written meanwhile; \(after) \(String(format: "%.2f", summary.finishingSeconds)) s\(summary.server ? "; done by the running server" : "")"
            )
        }
        if verify, let differing = summary.differing, !differing.isEmpty {
            FileHandle.standardError.write(Data("projections differ from the log: \(differing.joined(separator: ", "))\n".utf8))
            throw ExitCode(1)
        }
    }
}
