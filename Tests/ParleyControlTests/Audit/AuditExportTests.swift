import Foundation
import ParleyControl
import ParleyDomain
import ParleyLog
import ParleyProjections
import ParleyServer
import Testing

/// `parleyctl export-audit` on a known log, offline: the exact records, the
/// chain, the signed manifest, the filters, and the export's own audit entry.
@Suite("export-audit")
struct AuditExportTests {
    @Test("exports the audit trail exactly, chained and signed, and records the export in the log")
    func exactRecords() async throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        try await AuditSeed.seed(scratch.data)
        let (epoch, before) = try await AuditSeed.entries(scratch.data)
        let out = scratch.path("acme.audit.lz4")

        let run = try await ParleyCtl.run(export(scratch, account: 1, out: out) + ["--json"])
        #expect(run.status == 0, "\(run.errorOutput)")

        let lines = try AuditExportFile.lines(of: out)
        let records = try lines.dropLast().map(AuditExportFile.object)
        let trail = records.map { record in
            let actor = record["actor"] as? [String: Any]
            let target = record["target"] as? [String: Any]
            return "\(record["action"] ?? "") \(actor?["type"] ?? "") \(actor?["id"] ?? "") \(target?["type"] ?? "") \(target?["id"] ?? "")"
        }
        #expect(trail == AuditSeed.accountOneTrail.map { "\($0.0) \($0.1.type.rawValue) \($0.1.id) \($0.2) \($0.3.map(String.init) ?? "")" })

        let audited = before.filter { $0.seq(in: "audit:1") != nil }
        #expect(records.map { uint($0["offset"]) } == audited.map(\.offset))
        #expect(records.map { uint($0["n"]) } == (1...UInt64(audited.count)).map { $0 })
        for (record, entry) in zip(records, audited) {
            let envelope = try EnvelopeJSON.write(entry, epoch: epoch)
            #expect(record["event_sha256"] as? String == Crypto.sha256Hex(String(decoding: envelope, as: UTF8.self)))
            #expect(uint(record["time"]) == entry.timestamp)
            #expect(record["type"] as? String == entry.type)
        }
        let head = try expectChain(lines)

        let manifest = try AuditExportFile.manifest(lines)
        #expect(uint(manifest["account"]) == 1 && uint(manifest["records"]) == 9 && uint(manifest["events_read"]) == 9)
        #expect(manifest["head_hash"] as? String == head && manifest["selection"] as? String == "audit")
        #expect(uint(manifest["first_offset"]) == audited.first?.offset && uint(manifest["last_offset"]) == audited.last?.offset)
        #expect(uint(manifest["log_head"]) == before.last?.offset && manifest["epoch"] as? String == epoch)
        #expect(manifest["from"] is NSNull && manifest["to"] is NSNull)
        let actions = manifest["actions"] as? [String: Any] ?? [:]
        #expect(uint(actions["label.created"]) == 3 && uint(actions["sign_in"]) == 1 && actions.count == 7)
        try expectSignature(lines.last ?? "", key: scratch.key)

        let summary = try run.summary()
        #expect(uint(summary["records"]) == 9 && uint(summary["events"]) == 9 && summary["head_hash"] as? String == head)
        #expect(summary["out"] as? String == out && summary["events_per_s"] is NSNumber)
        #expect(summary["recorded_by"] as? String == "offline")

        // The export changed nothing in the log; it appended its own audit entry.
        let (_, after) = try await AuditSeed.entries(scratch.data)
        #expect(Array(after.prefix(before.count)) == before && after.count == before.count + 1)
        let recorded = try #require(after.last)
        #expect(uint(summary["audit_offset"]) == recorded.offset && recorded.seq(in: "audit:1") != nil)
        guard case .auditRecorded(let entry) = try StoredEvent(recorded).event.body else {
            Issue.record("the export was recorded as \(recorded.type)")
            return
        }
        #expect(entry.action == "audit_exported" && entry.targetType == "Account" && entry.targetID == 1)
        #expect(entry.details["records"] == .number(9) && entry.details["head_hash"] == .string(head))
        #expect(entry.details["file"] == .string("acme.audit.lz4") && entry.details["from"] == .null)
        // The next ledger to open the directory (a server starting) folds it into the trail.
        let ledger = try await CommandLedger.open(at: scratch.data)
        let newest = ledger.withProjections { $0.audit.page(account: 1).entries.first }
        await ledger.close()
        #expect(newest?.action == "audit_exported" && newest?.offset == recorded.offset && newest?.actor == .system)
        let files = try scratch.files()
        #expect(files == ["acme.audit.lz4", "audit.key", "data"])
    }

    @Test("exports one account only, and only the times asked for")
    func filtersByAccountAndTime() async throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        try await AuditSeed.seed(scratch.data)
        let (_, entries) = try await AuditSeed.entries(scratch.data)

        let other = scratch.path("other.lz4")
        let otherRun = try await ParleyCtl.run(export(scratch, account: 2, out: other))
        #expect(otherRun.status == 0, "\(otherRun.errorOutput)")
        let otherRecords = try AuditExportFile.lines(of: other).dropLast().map(AuditExportFile.object)
        #expect(otherRecords.map { $0["action"] as? String } == ["account.created", "label.created"])
        let accountTwo = entries.filter { $0.accountID == 2 }.map(\.offset)
        #expect(otherRecords.map { uint($0["offset"]) } == accountTwo)

        // The second of the three labels: from its time (as ISO-8601) to the third's (as milliseconds).
        let labels = entries.filter { $0.accountID == 1 && $0.type == "label.created" }
        try #require(labels.count == 3)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let from = formatter.string(from: Date(timeIntervalSince1970: Double(labels[1].timestamp) / 1000))
        let ranged = scratch.path("ranged.lz4")
        let run = try await ParleyCtl.run(
            export(scratch, account: 1, out: ranged) + ["--from", from, "--to", String(labels[2].timestamp), "--json"])
        #expect(run.status == 0, "\(run.errorOutput)")
        let lines = try AuditExportFile.lines(of: ranged)
        let offsets = try lines.dropLast().map { uint(try AuditExportFile.object($0)["offset"]) }
        #expect(offsets == [labels[1].offset])
        let manifest = try AuditExportFile.manifest(lines)
        #expect(uint(manifest["from"]) == labels[1].timestamp && uint(manifest["to"]) == labels[2].timestamp)
        #expect(uint(manifest["records"]) == 1)
        _ = try expectChain(lines)

        // A range with nothing in it is an export of no records, still signed.
        let empty = scratch.path("empty.lz4")
        let none = try await ParleyCtl.run(export(scratch, account: 1, out: empty) + ["--from", "2999-01-01", "--json"])
        let noneSummary = try none.summary()
        #expect(none.status == 0 && uint(noneSummary["records"]) == 0)
        let verified = try await ParleyCtl.run(["verify-audit", empty, "--key-file", scratch.key, "--json"])
        let verifiedSummary = try verified.summary()
        #expect(verified.status == 0 && uint(verifiedSummary["records"]) == 0)
    }

    @Test("--all-events exports every durable event of the account, each with its most specific target")
    func allEvents() async throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        try await AuditSeed.seed(scratch.data)
        let (_, entries) = try await AuditSeed.entries(scratch.data)
        let out = scratch.path("all.lz4")

        let run = try await ParleyCtl.run(export(scratch, account: 1, out: out) + ["--all-events", "--json"])
        #expect(run.status == 0, "\(run.errorOutput)")
        let lines = try AuditExportFile.lines(of: out)
        let records = try lines.dropLast().map(AuditExportFile.object)
        let expected = entries.filter { $0.accountID == 1 && $0.retention == .durable }
        #expect(records.map { uint($0["offset"]) } == expected.map(\.offset))
        #expect(records.map { $0["type"] as? String } == expected.map(\.type))
        #expect(entries.contains { $0.accountID == 1 && $0.retention == .ephemeral })
        let summary = try run.summary()
        #expect(uint(summary["events"]) == UInt64(entries.count))

        let message = try #require(records.first { $0["type"] as? String == "message.created" })
        #expect((message["target"] as? [String: Any])?["type"] as? String == "Conversation")
        #expect(uint((message["target"] as? [String: Any])?["id"]) == 1)
        #expect((message["actor"] as? [String: Any])?["type"] as? String == "contact")
        let signIn = try #require(records.first { $0["type"] as? String == "audit.recorded" })
        #expect(signIn["action"] as? String == "sign_in")
        let manifest = try AuditExportFile.manifest(lines)
        #expect(manifest["selection"] as? String == "all_events" && uint(manifest["records"]) == UInt64(expected.count))
        _ = try expectChain(lines)

        // From the second label on, found by the search over the log's times.
        let labels = expected.filter { $0.type == "label.created" }
        try #require(labels.count == 3)
        let later = scratch.path("later.lz4")
        let ranged = try await ParleyCtl.run(
            export(scratch, account: 1, out: later) + ["--all-events", "--from", String(labels[1].timestamp), "--json"])
        #expect(ranged.status == 0, "\(ranged.errorOutput)")
        let laterOffsets = try AuditExportFile.lines(of: later).dropLast().map { uint(try AuditExportFile.object($0)["offset"]) }
        let fromSecondLabel = entries.filter { $0.accountID == 1 && $0.retention == .durable && $0.timestamp >= labels[1].timestamp }
        // The first export's own entry came after: it is in this one too.
        #expect(laterOffsets == fromSecondLabel.map(\.offset) + [uint(summary["audit_offset"])])
        let rangedSummary = try ranged.summary()
        #expect(uint(rangedSummary["events"]) == UInt64(entries.filter { $0.timestamp >= labels[1].timestamp }.count) + 1)
    }

    @Test(
        "refuses bad input with one line, writing nothing",
        arguments: [
            (["--data", "{root}/missing"], "data directory {root}/missing does not exist"),
            (["--data", "{root}"], "holds no Parley log"),
            (["--account", "9"], "account 9 does not exist"),
            (["--from", "yesterday"], "--from yesterday: not a time"),
            (["--from", "2025-03-02", "--to", "2025-03-01"], "--from must be before --to"),
            (["--key-file", "{root}/short.key"], "holds 16 bytes; an audit key needs at least 32"),
            (["--key-file", "{root}/none.key"], "{root}/none.key does not exist"),
            (["--out", "{root}/nowhere/x.lz4"], "{root}/nowhere is not a directory"),
        ])
    func refusesBadInput(overrides: [String], message: String) async throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        try await AuditSeed.seed(scratch.data)
        try Data(repeating: 7, count: 16).write(to: URL(fileURLWithPath: scratch.path("short.key")))
        let (_, before) = try await AuditSeed.entries(scratch.data)
        let filesBefore = try scratch.files()

        var arguments = export(scratch, account: 1, out: scratch.path("x.lz4"))
        for index in stride(from: 0, to: overrides.count, by: 2) {
            let value = overrides[index + 1].replacingOccurrences(of: "{root}", with: scratch.root)
            if let position = arguments.firstIndex(of: overrides[index]) {
                arguments[position + 1] = value
            } else {
                arguments += [overrides[index], value]
            }
        }
        let run = try await ParleyCtl.run(arguments)
        #expect(run.status != 0)
        let error = run.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!error.contains("\n") && error.contains(message.replacingOccurrences(of: "{root}", with: scratch.root)), "\(error)")
        let (filesAfter, (_, after)) = (try scratch.files(), try await AuditSeed.entries(scratch.data))
        #expect(filesAfter == filesBefore)
        #expect(after == before)
    }

    @Test("refuses to replace an --out that is not a regular file (a FIFO stands for a device such as /dev/null)")
    func refusesSpecialFileOut() async throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        try await AuditSeed.seed(scratch.data)
        let fifo = scratch.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let run = try await ParleyCtl.run(export(scratch, account: 1, out: fifo))
        #expect(run.status != 0)
        #expect(run.errorOutput.contains("it exists and is not a regular file"), "\(run.errorOutput)")
        var status = stat()
        #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
    }

    @Test("refuses a directory another process holds when no server answers for it")
    func refusesLockedDirectory() async throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        try await AuditSeed.seed(scratch.data)
        let holder = try await CommandLedger.open(at: scratch.data)
        let run = try await ParleyCtl.run(export(scratch, account: 1, out: scratch.path("x.lz4")))
        await holder.close()
        #expect(run.status != 0)
        #expect(run.errorOutput.contains("is locked by another process, but no server answers on its admin channel"))
        let files = try scratch.files()
        #expect(files == ["audit.key", "data"])
    }

    private func export(_ scratch: AuditScratch, account: Int, out: String) -> [String] {
        ["export-audit", "--data", scratch.data, "--account", String(account), "--key-file", scratch.key, "--out", out]
    }
}

/// A JSON number as an unsigned integer.
func uint(_ value: Any?) -> UInt64? {
    (value as? NSNumber)?.uint64Value
}

/// Checks each record's hash against its line and its link to the one
/// before, independently of parleyctl's own reader; returns the head hash.
func expectChain(_ lines: [String]) throws -> String {
    var prev = String(repeating: "0", count: 64)
    for line in lines.dropLast() {
        let record = try AuditExportFile.object(line)
        let hash = try #require(record["hash"] as? String)
        #expect(line.hasSuffix(#","hash":"\#(hash)"}"#))
        let unsigned = String(line.dropLast(#","hash":""}"#.count + hash.count)) + "}"
        #expect(Crypto.sha256Hex(unsigned) == hash)
        #expect(record["prev"] as? String == prev)
        prev = hash
    }
    return prev
}

/// Checks the manifest line's HMAC-SHA256 signature with the key file.
func expectSignature(_ line: String, key: String) throws {
    let prefix = #"{"manifest":"#
    let marker = try #require(line.range(of: #","signature":""#, options: .backwards))
    let body = String(line[line.index(line.startIndex, offsetBy: prefix.count)..<marker.lowerBound])
    let signature = String(line[marker.upperBound...].dropLast(2))
    let keyBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: key)))
    let mac = Crypto.hmacSHA256(key: keyBytes, message: Array(body.utf8))
    #expect(signature == mac.map { String(format: "%02x", $0) }.joined())
}
