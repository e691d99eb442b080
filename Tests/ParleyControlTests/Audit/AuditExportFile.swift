import Foundation
import ParleyControl
import Testing

/// An export's lines, read and written with the LZ4 frame wrapper, so tests
/// can look inside an export and tamper with it as an attacker would.
enum AuditExportFile {
    static func lines(of path: String) throws -> [String] {
        String(decoding: try decompress(path), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    static func decompress(_ path: String) throws -> [UInt8] {
        let file = try InputFile(path: path)
        let reader = try LZ4FrameReader(source: file.read(into:))
        var bytes = [UInt8]()
        while try reader.next({ bytes.append(contentsOf: $0) }) {}
        return bytes
    }

    /// Writes `lines` (each ending in a newline) as one LZ4 frame at `path`.
    static func write(_ lines: [String], to path: String) throws {
        var compressed = Data()
        let writer = try LZ4FrameWriter { compressed.append(contentsOf: $0) }
        try writer.write(Array(lines.map { $0 + "\n" }.joined().utf8))
        try writer.finish()
        try compressed.write(to: URL(fileURLWithPath: path))
    }

    /// The manifest object of an export's lines.
    static func manifest(_ lines: [String]) throws -> [String: Any] {
        let line = try object(lines.last ?? "")
        return try #require(line["manifest"] as? [String: Any])
    }

    /// The JSON object on one line.
    static func object(_ line: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(value as? [String: Any])
    }
}
