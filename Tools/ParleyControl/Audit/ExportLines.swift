/// The lines of an LZ4-compressed file, one at a time, without holding the
/// whole file in memory.
final class ExportLines {
    /// No line of an export comes near this; a longer one means the file is something else.
    static let maxLineLength = 1 << 20

    private let frame: LZ4FrameReader
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false
    /// How many lines have been returned.
    private(set) var count: UInt64 = 0

    init(frame: LZ4FrameReader) {
        self.frame = frame
    }

    /// The next line without its newline; nil at the end of the file.
    ///
    /// - Throws: ``LZ4FrameError`` for a damaged frame, ``LineTooLong`` past ``maxLineLength``.
    func next() throws -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                count += 1
                return line
            }
            guard buffer.count - start <= Self.maxLineLength else { throw LineTooLong(line: count + 1) }
            if ended {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                count += 1
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            ended = try !frame.next { buffer.append(contentsOf: $0) }
        }
    }

    struct LineTooLong: Error {
        var line: UInt64
    }
}
