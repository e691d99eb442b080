import Foundation
import ParleyControl
import ParleyServer
import Testing

/// `parleyctl verify-audit` on an export and on every way of tampering with
/// it: each is named (kind, record, line) in one line, with a non-zero exit.
@Suite("verify-audit")
struct AuditVerifyTests {
    /// An export of account 1's nine audit records in a scratch directory of its own.
    struct Export: Sendable {
        let scratch: AuditScratch
        let lines: [String]
        let offsets: [UInt64]
        var path: String { scratch.path("export.lz4") }
    }

    static func makeExport() async throws -> Export {
        let scratch = try AuditScratch()
        try await AuditSeed.seed(scratch.data)
        let path = scratch.path("export.lz4")
        let run = try await ParleyCtl.run([
            "export-audit", "--data", scratch.data, "--account", "1", "--key-file", scratch.key, "--out", path,
        ])
        guard run.status == 0 else { throw ControlError("export failed: \(run.errorOutput)") }
        let lines = try AuditExportFile.lines(of: path)
        let offsets = try lines.dropLast().map { uint(try AuditExportFile.object($0)["offset"]) ?? 0 }
        return Export(scratch: scratch, lines: lines, offsets: offsets)
    }

    @Test("an untouched export verifies")
    func verifies() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        let run = try await verify(export.path, key: export.scratch.key)
        #expect(run.status == 0, "\(run.errorOutput)")
        let summary = try run.summary()
        #expect(summary["ok"] as? Bool == true && uint(summary["records"]) == 9 && uint(summary["account"]) == 1)
        #expect(uint(summary["last_offset"]) == export.offsets.last)
    }

    @Test("a changed field names the record modified")
    func modifiedField() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var lines = export.lines
        lines[3] = lines[3].replacingOccurrences(of: #""action":"inbox.members_changed""#, with: #""action":"inbox.updated""#)
        try #require(lines[3] != export.lines[3])
        try await expectProblem(export, lines, "modified", line: 4, record: 4, offset: export.offsets[3], "record 4 (offset \(export.offsets[3])) was modified")
    }

    @Test("a changed hash names the record modified")
    func modifiedHash() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var lines = export.lines
        let record = try AuditExportFile.object(lines[6])
        let hash = try #require(record["hash"] as? String)
        lines[6] = lines[6].replacingOccurrences(of: hash, with: String(hash.reversed()))
        try await expectProblem(export, lines, "modified", line: 7, record: 7, offset: export.offsets[6], "record 7")
    }

    @Test("a removed record is named by its number")
    func removed() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var lines = export.lines
        lines.remove(at: 4)
        try await expectProblem(
            export, lines, "removed", line: 5, record: 5, offset: nil,
            "record 5 was removed (between offsets \(export.offsets[3]) and \(export.offsets[5]))")
    }

    @Test("a removed last record is named with its offset from the manifest")
    func removedLast() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var lines = export.lines
        lines.remove(at: 8)
        try await expectProblem(export, lines, "removed", line: 9, record: 9, offset: export.offsets[8], "record 9 (offset \(export.offsets[8])) was removed")
    }

    @Test("a removed first record is named before the first offset left")
    func removedFirst() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        try await expectProblem(
            export, Array(export.lines.dropFirst()), "removed", line: 1, record: 1, offset: nil,
            "record 1 was removed (before offset \(export.offsets[1]))")
    }

    @Test("a chain rewritten after a change, hashes and all, no longer ends in the signed head hash")
    func rewrittenChain() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var lines = export.lines
        lines[3] = lines[3].replacingOccurrences(of: #""action":"inbox.members_changed""#, with: #""action":"inbox.updated""#)
        var prev = String(repeating: "0", count: 64)
        for index in 0..<(lines.count - 1) {
            let record = try AuditExportFile.object(lines[index])
            let (oldHash, oldPrev) = (try #require(record["hash"] as? String), try #require(record["prev"] as? String))
            let unsigned = String(lines[index].dropLast(#","hash":""}"#.count + 64)).replacingOccurrences(of: oldPrev, with: prev) + "}"
            let hash = Crypto.sha256Hex(unsigned)
            lines[index] = String(unsigned.dropLast()) + #","hash":"\#(hash)"}"#
            #expect(index != 3 || hash != oldHash)
            prev = hash
        }
        try await expectProblem(
            export, lines, "modified", line: 10, record: nil, offset: nil,
            "the records were rewritten: their chain does not end in the manifest's head hash")
    }

    @Test("a manifest of a newer format, signed with the right key, is refused as such")
    func newerVersion() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var lines = export.lines
        let prefix = #"{"manifest":"#
        let marker = try #require(lines[9].range(of: #","signature":""#, options: .backwards))
        let body = String(lines[9][lines[9].index(lines[9].startIndex, offsetBy: prefix.count)..<marker.lowerBound])
            .replacingOccurrences(of: #""version":1"#, with: #""version":2"#)
        let key = try [UInt8](Data(contentsOf: URL(fileURLWithPath: export.scratch.key)))
        let signature = Crypto.hmacSHA256(key: key, message: Array(body.utf8)).map { String(format: "%02x", $0) }.joined()
        lines[9] = prefix + body + #","signature":"\#(signature)"}"#
        try await expectProblem(export, lines, "unsupported_version", line: 10, record: nil, offset: nil, "is format version 2")
    }

    @Test("a line after the manifest is named inserted")
    func lineAfterManifest() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        try await expectProblem(
            export, export.lines + [export.lines[0]], "inserted", line: 11, record: nil, offset: nil,
            "line 11 was inserted after the manifest")
    }

    @Test("an inserted copy of a record is named by its line")
    func insertedCopy() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var lines = export.lines
        lines.insert(lines[1], at: 5)
        try await expectProblem(export, lines, "inserted", line: 6, record: 2, offset: export.offsets[1], "line 6 was inserted: it is a copy of record 2")
    }

    @Test("an inserted forged line is named by its line")
    func insertedForgery() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var lines = export.lines
        lines.insert(lines[2].replacingOccurrences(of: #""n":3,"#, with: #""n":3,"forged":true,"#), at: 2)
        try await expectProblem(export, lines, "inserted", line: 3, record: nil, offset: export.offsets[2], "line 3 was inserted: record 3")
    }

    @Test("two swapped records are named as reordered")
    func swapped() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var lines = export.lines
        lines.swapAt(2, 6)
        try await expectProblem(
            export, lines, "reordered", line: 3, record: 3, offset: export.offsets[2],
            "records are out of order: line 3 holds record 7 (offset \(export.offsets[6])); record 3 (offset \(export.offsets[2])) is at line 7")
    }

    @Test("edited manifest counts break its signature")
    func manifestCounts() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var lines = export.lines
        lines[9] = lines[9].replacingOccurrences(of: #""records":9"#, with: #""records":8"#)
        try #require(lines[9] != export.lines[9])
        try await expectProblem(export, lines, "manifest_modified", line: 10, record: nil, offset: nil, "the manifest (line 10) was modified: its signature does not match")
    }

    @Test("a wrong key is named as such")
    func wrongKey() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        let other = export.scratch.path("other.key")
        try Data(repeating: 42, count: 32).write(to: URL(fileURLWithPath: other))
        let run = try await verify(export.path, key: other)
        try expect(run, "wrong_key", line: 10, record: nil, offset: nil, "wrong key: \(export.path) was signed with key")
    }

    @Test("a truncated file is named truncated")
    func truncated() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: export.path))
        let path = export.scratch.path("truncated.lz4")
        try bytes.prefix(bytes.count - 20).write(to: URL(fileURLWithPath: path))
        try expect(try await verify(path, key: export.scratch.key), "truncated", line: nil, record: nil, offset: nil, "is truncated")
    }

    @Test("records without their manifest are named truncated")
    func noManifest() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        try await expectProblem(export, Array(export.lines.dropLast()), "truncated", line: 10, record: nil, offset: nil, "ends after record 9")
    }

    @Test("a damaged LZ4 frame is named corrupt")
    func corruptFrame() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: export.path)))
        bytes[bytes.count / 2] ^= 0x5a
        let path = export.scratch.path("corrupt.lz4")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try expect(try await verify(path, key: export.scratch.key), "corrupt", line: nil, record: nil, offset: nil, "is corrupt (LZ4:")
    }

    @Test("random bytes are not an export")
    func randomBytes() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        let path = export.scratch.path("random.lz4")
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: path))
        try expect(
            try await verify(path, key: export.scratch.key), "not_an_export", line: nil, record: nil, offset: nil,
            "is not an audit export (not an LZ4 frame)")
    }

    @Test("an LZ4 file of something else is not an export")
    func otherLZ4File() async throws {
        let export = try await Self.makeExport()
        defer { export.scratch.remove() }
        try await expectProblem(
            export, ["hello", "world"], "not_an_export", line: nil, record: nil, offset: nil, "is not an audit export (line 1 is neither")
    }

    private func verify(_ path: String, key: String) async throws -> ToolRun {
        try await ParleyCtl.run(["verify-audit", path, "--key-file", key, "--json"])
    }

    /// Writes `lines` as an export and expects verify-audit to name this problem.
    private func expectProblem(
        _ export: Export, _ lines: [String], _ kind: String, line: UInt64?, record: UInt64?, offset: UInt64?, _ message: String
    ) async throws {
        let path = export.scratch.path("tampered.lz4")
        try AuditExportFile.write(lines, to: path)
        try expect(try await verify(path, key: export.scratch.key), kind, line: line, record: record, offset: offset, message)
    }

    private func expect(
        _ run: ToolRun, _ kind: String, line: UInt64?, record: UInt64?, offset: UInt64?, _ message: String
    ) throws {
        #expect(run.status != 0)
        let error = run.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!error.contains("\n") && error.contains(message), "\(error)")
        let summary = try run.summary()
        let problem = try #require(summary["problem"] as? [String: Any])
        #expect(summary["ok"] as? Bool == false && problem["kind"] as? String == kind, "\(problem)")
        #expect(uint(problem["line"]) == line && uint(problem["record"]) == record && uint(problem["offset"]) == offset, "\(problem)")
    }
}
