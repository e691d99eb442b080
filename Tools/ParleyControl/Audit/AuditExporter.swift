import Foundation
import ParleyDomain
import ParleyLog
import ParleyProjections

/// What to export.
public struct AuditExportRequest: Sendable {
    public var account: UInt64
    /// `[from, to)` in milliseconds since 1970.
    public var from: UInt64?
    public var to: UInt64?
    /// Every durable event of the account rather than its audit stream.
    public var allEvents: Bool

    public init(account: UInt64, from: UInt64?, to: UInt64?, allEvents: Bool) {
        self.account = account
        self.from = from
        self.to = to
        self.allEvents = allEvents
    }
}

/// Writes an account's audit trail from a ``LogReader`` as an export
/// (`Schemas/audit-export.md`): record lines chained by hash, then the
/// signed manifest, all in one LZ4 frame. It only reads the log.
public struct AuditExporter {
    static let pageSize = 4096

    let reader: LogReader
    let request: AuditExportRequest
    let key: AuditKey

    public init(reader: LogReader, request: AuditExportRequest, key: AuditKey) {
        self.reader = reader
        self.request = request
        self.key = key
    }

    /// Writes the export to `sink` and returns its manifest.
    ///
    /// - Throws: ``ControlError`` when the account has no events in the log.
    public func export(to sink: @escaping (UnsafeRawBufferPointer) throws -> Void) async throws -> AuditManifest {
        let head = reader.head
        let auditStream = StreamNames.audit(request.account)
        // Every account starts with `account.created` on its audit stream.
        let auditHead = try await reader.head(of: auditStream)
        guard auditHead > 0 else {
            throw ControlError("account \(request.account) does not exist in \(reader.path)")
        }
        let writer = try LZ4FrameWriter(sink: sink)
        var chain = RecordChain(auditStream: auditStream, epoch: reader.epoch)
        var eventsRead: UInt64 = 0
        if request.allEvents {
            let start = try await firstOffset(notBefore: request.from, head: head)
            let progress = ProgressReporter(label: "export", total: head - start)
            try await forEachPage(from: start, head: head) { page in
                var more = true
                for entry in page {
                    if let to = request.to, entry.timestamp >= to {
                        more = false
                        break
                    }
                    eventsRead += 1
                    guard entry.accountID == request.account, entry.retention == .durable else { continue }
                    try chain.append(entry)
                }
                try writer.write(chain.takeOutput())
                progress.advance(to: (page.last?.offset ?? start) - start)
                return more
            }
            progress.finish()
        } else {
            let progress = ProgressReporter(label: "export", total: auditHead)
            var seq: UInt64 = 0
            pages: while true {
                let page = try await reader.read(stream: auditStream, after: seq, limit: Self.pageSize)
                guard let last = page.last else { break }
                seq = last.seq(in: auditStream) ?? seq + UInt64(page.count)
                for entry in page where entry.offset <= head {
                    if let to = request.to, entry.timestamp >= to { break pages }
                    eventsRead += 1
                    if let from = request.from, entry.timestamp < from { continue }
                    try chain.append(entry)
                }
                try writer.write(chain.takeOutput())
                progress.advance(to: seq)
            }
            try writer.write(chain.takeOutput())
            progress.finish()
        }
        let manifest = AuditManifest(
            account: request.account, epoch: reader.epoch, selection: request.allEvents ? "all_events" : "audit",
            from: request.from, to: request.to, logHead: head, eventsRead: eventsRead, records: chain.count,
            actions: chain.actions, firstOffset: chain.firstOffset, lastOffset: chain.lastOffset,
            headHash: String(decoding: chain.prev, as: UTF8.self),
            exportedAt: UInt64((Date().timeIntervalSince1970 * 1000).rounded()), keyID: key.id)
        try writer.write(try manifest.line(signedWith: key))
        try writer.finish()
        return manifest
    }

    /// Reads the log a page at a time from after `start` up to `head`,
    /// fetching the next page while `body` works on the current one; stops
    /// when `body` returns false.
    private func forEachPage(from start: UInt64, head: UInt64, _ body: ([LogEntry]) throws -> Bool) async throws {
        let reader = self.reader
        let size = Self.pageSize
        var next = Task { try await reader.read(after: start, limit: size) }
        defer { next.cancel() }
        while true {
            var page = try await next.value
            if let end = page.firstIndex(where: { $0.offset > head }) { page.removeSubrange(end...) }
            guard let last = page.last else { return }
            next = Task { try await reader.read(after: last.offset, limit: size) }
            guard try body(page) else { return }
        }
    }

    /// The offset to read after so that the first entry read is the first
    /// stamped at or after `from`: the log's times never decrease, so a
    /// binary search over offsets finds it in a few dozen reads.
    private func firstOffset(notBefore from: UInt64?, head: UInt64) async throws -> UInt64 {
        guard let from else { return 0 }
        var low: UInt64 = 0
        var high = head
        while low < high {
            let middle = low + (high - low) / 2
            let first = try await reader.read(after: middle, limit: 1).first
            if let first, first.offset <= head, first.timestamp < from {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}

/// The records written so far: their count, the last hash, and the bytes
/// not yet handed to the compressor.
struct RecordChain {
    let auditStream: String
    let epoch: String
    let decoder = EventCodec.decoder()
    var count: UInt64 = 0
    var prev = SHA256Hex.zero
    var actions: [String: UInt64] = [:]
    var firstOffset: UInt64?
    var lastOffset: UInt64?
    private var output: [UInt8] = []

    init(auditStream: String, epoch: String) {
        self.auditStream = auditStream
        self.epoch = epoch
        output.reserveCapacity(1 << 20)
    }

    mutating func append(_ entry: LogEntry) throws {
        let subject: AuditSubject
        let envelope: [UInt8]
        do {
            subject = try AuditSubject.of(entry, auditStream: auditStream, decoder: decoder)
            envelope = try EnvelopeJSON.write(entry, epoch: epoch)
        } catch {
            throw ControlError("the event at offset \(entry.offset) (\(entry.type)) does not decode: \(error)")
        }
        count += 1
        let record = AuditRecord(
            n: count, offset: entry.offset, time: entry.timestamp, type: entry.type, action: subject.action,
            actor: subject.actor, targetType: subject.targetType, targetID: subject.targetID,
            eventSHA256: String(decoding: SHA256Hex.of(envelope), as: UTF8.self), prev: String(decoding: prev, as: UTF8.self))
        prev = record.write(into: &output)
        actions[subject.action, default: 0] += 1
        if firstOffset == nil { firstOffset = entry.offset }
        lastOffset = entry.offset
    }

    /// The record lines written since the last call.
    mutating func takeOutput() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }
}
