import Foundation

/// A regular file read from start to end in whatever pieces the reader asks for.
public final class InputFile {
    public let path: String
    private let descriptor: Int32

    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ControlError("\(path) does not exist")
        }
        guard !isDirectory.boolValue else { throw ControlError("\(path) is a directory, not a file") }
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ControlError("cannot open \(path): \(AtomicOutputFile.reason())") }
    }

    deinit {
        close(descriptor)
    }

    /// Fills as much of `buffer` as one read gives; 0 at the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw ControlError("cannot read \(path): \(AtomicOutputFile.reason())") }
        }
    }

    /// The whole file, for small ones such as keys.
    public static func contents(of path: String) throws -> [UInt8] {
        let file = try InputFile(path: path)
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let count = try buffer.withUnsafeMutableBytes({ try file.read(into: $0) }), count > 0 {
            bytes.append(contentsOf: buffer[..<count])
        }
        return bytes
    }
}
