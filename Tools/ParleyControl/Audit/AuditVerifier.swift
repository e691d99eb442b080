import Foundation
import ParleyServer

/// Checks an audit export end to end, streaming it: every record's hash
/// against its contents, every link of the chain, the manifest's signature,
/// and the manifest's counts and head hash against the records.
///
/// The first problem ends the check and is named as precisely as the file
/// allows: which record was modified, removed, inserted or moved, by its
/// number, line and offset.
public struct AuditVerifier {
    let key: AuditKey

    public init(key: AuditKey) {
        self.key = key
    }

    /// Verifies the export at `path` and returns its manifest.
    ///
    /// - Throws: ``AuditProblem`` for a file that is not a sound export made
    ///   with this key; ``ControlError`` when it cannot be read at all.
    public func verify(path: String) throws -> AuditManifest {
        let file = try InputFile(path: path)
        let frame = try LZ4FrameReader(source: file.read(into:))
        var pass = Pass(path: path, lines: ExportLines(frame: frame))
        let manifestLine = try pass.records()
        return try pass.check(manifestLine: manifestLine, key: key)
    }
}

/// One reading of the file: the records accepted so far and the lines left.
private struct Pass {
    let path: String
    let lines: ExportLines
    let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
    /// The hashes of the records accepted, 64 hex bytes each, in order.
    var hashes: [UInt8] = []
    var offsets: [UInt64] = []
    var actions: [String: UInt64] = [:]

    init(path: String, lines: ExportLines) {
        self.path = path
        self.lines = lines
    }

    var accepted: UInt64 { UInt64(offsets.count) }

    /// The hash of record `n` (from 1); the zero hash before the first.
    func hash(_ n: UInt64) -> [UInt8] {
        guard n > 0 else { return SHA256Hex.zero }
        let start = Int(n - 1) * SHA256Hex.length
        return Array(hashes[start..<(start + SHA256Hex.length)])
    }

    func offset(_ n: UInt64) -> UInt64 { offsets[Int(n - 1)] }

    /// The next line, with a damaged file reported as what it is.
    func nextLine() throws(AuditProblem) -> [UInt8]? {
        do {
            return try lines.next()
        } catch let error as LZ4FrameError {
            switch error {
            case .notAFrame: throw AuditProblem(.notAnExport, "\(path) is not an audit export (not an LZ4 frame)")
            case .truncated: throw AuditProblem(.truncated, "\(path) is truncated (its LZ4 frame ends early)")
            case .corrupt(let reason): throw AuditProblem(.corrupt, "\(path) is corrupt (LZ4: \(reason))")
            case .trailingData: throw AuditProblem(.corrupt, "\(path) is corrupt (bytes follow its LZ4 frame)")
            case .failed(let reason): throw AuditProblem(.corrupt, "\(path) cannot be read: LZ4 failed (\(reason))")
            }
        } catch let error as ExportLines.LineTooLong {
            guard accepted > 0 else { throw AuditProblem(.notAnExport, "\(path) is not an audit export (line 1 is not a record)") }
            throw AuditProblem(
                .modified, line: error.line, record: accepted + 1, "line \(error.line) of \(path) is not a record: record \(accepted + 1) was modified")
        } catch {
            throw AuditProblem(.corrupt, "\(path) cannot be read: \(error)")
        }
    }

    func parse(_ line: [UInt8]) -> ReadRecord? {
        ReadRecord.parse(line, decoder: decoder)
    }

    /// Reads and checks records up to the manifest; returns the manifest's line.
    mutating func records() throws(AuditProblem) -> [UInt8] {
        while true {
            guard let line = try nextLine() else {
                guard accepted > 0 else { throw AuditProblem(.notAnExport, "\(path) is not an audit export (it is empty)") }
                throw AuditProblem(
                    .truncated, line: lines.count + 1,
                    "\(path) is truncated: it ends after record \(accepted) (offset \(offset(accepted))) without a manifest")
            }
            if AuditManifest.looksLikeManifest(line) { return line }
            let n = accepted + 1
            let read = parse(line)
            if let read, read.isIntact, read.record.n == n, Array(read.record.prev.utf8) == hash(n - 1) {
                hashes.append(contentsOf: read.statedHash)
                offsets.append(read.record.offset)
                actions[read.record.action, default: 0] += 1
                continue
            }
            if read == nil, n == 1 {
                throw AuditProblem(.notAnExport, "\(path) is not an audit export (line 1 is neither a record nor a manifest)")
            }
            throw try problem(at: read, number: n)
        }
    }

    /// Names what happened where the chain broke: `read` is the line found
    /// where record `n` should be (nil when it is not a record at all).
    mutating func problem(at read: ReadRecord?, number n: UInt64) throws(AuditProblem) -> AuditProblem {
        let line = lines.count
        let expectedPrev = hash(n - 1)
        guard let read, read.isIntact, read.record.n <= n else {
            if let read, read.isIntact { return try missing(n, found: read, line: line) }
            return try replaced(n, found: read, line: line, expectedPrev: expectedPrev)
        }
        let record = read.record
        if record.n == n { return try replaced(n, found: read, line: line, expectedPrev: expectedPrev) }
        if read.statedHash == hash(record.n) {
            return AuditProblem(
                .inserted, line: line, record: record.n, offset: record.offset,
                "line \(line) was inserted: it is a copy of record \(record.n) (offset \(record.offset))")
        }
        if Array(record.prev.utf8) == hash(record.n - 1) {
            return AuditProblem(
                .inserted, line: record.n, offset: offset(record.n),
                "line \(record.n) (offset \(offset(record.n))) was inserted: record \(record.n) (offset \(record.offset)) follows it at line \(line)"
            )
        }
        return AuditProblem(
            .inserted, line: line, offset: record.offset,
            "line \(line) (offset \(record.offset)) was inserted: it claims to be record \(record.n), which came before")
    }

    /// Record `n` is not where it should be and a later one is: it was moved or removed.
    func missing(_ n: UInt64, found: ReadRecord, line: UInt64) throws(AuditProblem) -> AuditProblem {
        var position = line
        while let later = try nextLine(), !AuditManifest.looksLikeManifest(later) {
            position += 1
            if let moved = parse(later), moved.isIntact, moved.record.n == n {
                return AuditProblem(
                    .reordered, line: line, record: n, offset: moved.record.offset,
                    "records are out of order: line \(line) holds record \(found.record.n) (offset \(found.record.offset)); record \(n) (offset \(moved.record.offset)) is at line \(position)"
                )
            }
        }
        let missingRange = found.record.n - 1 > n ? "records \(n) to \(found.record.n - 1) were" : "record \(n) was"
        let place =
            n > 1
            ? "between offsets \(offset(n - 1)) and \(found.record.offset)" : "before offset \(found.record.offset)"
        return AuditProblem(.removed, line: line, record: n, "\(missingRange) removed (\(place))")
    }

    /// The line where record `n` should be is damaged, or an intact record
    /// that does not link: either it was changed or a line was slipped in
    /// before the real record `n`, which then follows.
    func replaced(_ n: UInt64, found: ReadRecord?, line: UInt64, expectedPrev: [UInt8]) throws(AuditProblem) -> AuditProblem {
        if let next = try nextLine(), let following = parse(next), following.isIntact, following.record.n == n,
            Array(following.record.prev.utf8) == expectedPrev
        {
            return AuditProblem(
                .inserted, line: line, offset: found?.record.offset,
                "line \(line) was inserted: record \(n) (offset \(following.record.offset)) follows it")
        }
        guard let found else {
            return AuditProblem(.modified, line: line, record: n, "record \(n) (line \(line)) was modified: it is no longer a valid record")
        }
        guard found.isIntact else {
            return AuditProblem(
                .modified, line: line, record: n, offset: found.record.offset,
                "record \(n) (offset \(found.record.offset)) was modified: its hash does not match its contents")
        }
        return AuditProblem(
            .modified, line: line, record: n, offset: found.record.offset,
            "record \(n) (offset \(found.record.offset)) was modified: it does not link to record \(n - 1)")
    }

    /// Checks the manifest's signature, then the records against it.
    func check(manifestLine: [UInt8], key: AuditKey) throws(AuditProblem) -> AuditManifest {
        let line = lines.count
        if try nextLine() != nil {
            throw AuditProblem(.inserted, line: line + 1, "line \(line + 1) was inserted after the manifest")
        }
        guard let read = ReadManifest.parse(manifestLine) else {
            throw AuditProblem(.manifestModified, line: line, "the manifest (line \(line)) was modified: it no longer parses")
        }
        let manifest = read.manifest
        guard manifest.version <= AuditManifest.currentVersion else {
            throw AuditProblem(
                .unsupportedVersion, line: line,
                "\(path) is format version \(manifest.version); this parleyctl reads up to \(AuditManifest.currentVersion)")
        }
        let signature = String(decoding: key.sign(read.body), as: UTF8.self)
        guard Crypto.constantTimeEquals(signature, String(decoding: read.signature, as: UTF8.self)) else {
            if manifest.keyID != key.id {
                throw AuditProblem(
                    .wrongKey, line: line, "wrong key: \(path) was signed with key \(manifest.keyID), not this one (\(key.id))")
            }
            throw AuditProblem(.manifestModified, line: line, "the manifest (line \(line)) was modified: its signature does not match")
        }
        try compare(manifest, line: line)
        return manifest
    }

    /// The signed manifest against the records read.
    func compare(_ manifest: AuditManifest, line: UInt64) throws(AuditProblem) {
        if accepted < manifest.records {
            let n = accepted + 1
            let offset = n == manifest.records ? manifest.lastOffset.map { " (offset \($0))" } ?? "" : ""
            throw AuditProblem(
                .removed, line: line, record: n, offset: n == manifest.records ? manifest.lastOffset : nil,
                "record \(n)\(offset) was removed: the manifest lists \(manifest.records) records, the file holds \(accepted)")
        }
        if accepted > manifest.records {
            let n = manifest.records + 1
            throw AuditProblem(
                .inserted, line: n, record: n, offset: offset(n),
                "record \(n) (offset \(offset(n))) was inserted: the manifest lists \(manifest.records) records")
        }
        let head = String(decoding: hash(accepted), as: UTF8.self)
        guard head == manifest.headHash, offsets.first == manifest.firstOffset, offsets.last == manifest.lastOffset,
            actions == manifest.actions
        else {
            throw AuditProblem(
                .modified, line: line,
                "the records were rewritten: their chain does not end in the manifest's head hash, offsets and counts")
        }
    }
}
