import Foundation
import ParleyLoadKit

/// Runs `body` with a fresh scratch directory, removed afterwards however `body` ends.
func withScratch<T>(_ prefix: String = "parleyctl", _ body: (String) async throws -> T) async throws -> T {
    let scratch = try ScratchDirectory(prefix: prefix)
    defer { scratch.remove() }
    return try await body(scratch.path)
}

/// Every file under `path` with its size and modification time, to show a failed command changed nothing.
func fingerprint(_ path: String) -> [String: String] {
    guard let walker = FileManager.default.enumerator(atPath: path) else { return [:] }
    var files: [String: String] = [:]
    while let name = walker.nextObject() as? String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
        files[name] = "\(attributes?[.size] ?? "-") \(attributes?[.modificationDate] ?? "-")"
    }
    return files
}
