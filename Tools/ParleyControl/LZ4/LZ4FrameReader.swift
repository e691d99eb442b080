import CLZ4

/// Decompresses one LZ4 frame, pulling compressed bytes from `source` as it
/// needs them, and tells a damaged frame from a cut-off one.
///
/// The reader owns its LZ4F decompression context and frees it when it goes away.
public final class LZ4FrameReader {
    static let inputSize = 64 << 10
    static let outputSize = 256 << 10
    /// The first four bytes of every LZ4 frame (0x184D2204, little-endian).
    static let magic: [UInt8] = [0x04, 0x22, 0x4D, 0x18]

    private let context: OpaquePointer
    /// Fills the buffer with the next compressed bytes; 0 at the end of the input.
    private let source: (UnsafeMutableRawBufferPointer) throws -> Int
    private var input: [UInt8]
    private var inputStart = 0
    private var inputEnd = 0
    private var output: [UInt8]
    private var started = false
    private var ended = false

    public init(source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        var created: OpaquePointer?
        let status = LZ4F_createDecompressionContext(&created, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(status) == 0, let created else { throw LZ4FrameError.failed(LZ4FrameWriter.name(of: status)) }
        context = created
        self.source = source
        input = [UInt8](repeating: 0, count: Self.inputSize)
        output = [UInt8](repeating: 0, count: Self.outputSize)
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
    }

    /// Passes the next decompressed bytes to `body`; returns false once the
    /// frame has ended cleanly and nothing follows it.
    ///
    /// - Throws: ``LZ4FrameError`` for input that is not a frame, a damaged or
    ///   truncated frame, or bytes after the frame's end.
    public func next(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        while !ended {
            if inputStart == inputEnd {
                guard try refill() else { throw started ? LZ4FrameError.truncated : LZ4FrameError.notAFrame }
            }
            if !started {
                try checkMagic()
                started = true
            }
            var produced = output.count
            var consumed = inputEnd - inputStart
            let hint = input.withUnsafeBytes { inBytes in
                output.withUnsafeMutableBytes { outBytes in
                    LZ4F_decompress(
                        context, outBytes.baseAddress, &produced, inBytes.baseAddress! + inputStart, &consumed, nil)
                }
            }
            guard LZ4F_isError(hint) == 0 else { throw LZ4FrameError.corrupt(LZ4FrameWriter.name(of: hint)) }
            inputStart += consumed
            if hint == 0 {
                ended = true
                let more = try inputStart < inputEnd || refill()
                if more { throw LZ4FrameError.trailingData }
            }
            if produced > 0 {
                try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<produced])) }
                return true
            }
        }
        return false
    }

    /// Reads more compressed input; false at its end.
    private func refill() throws -> Bool {
        let count = try input.withUnsafeMutableBytes { try source($0) }
        inputStart = 0
        inputEnd = count
        return count > 0
    }

    /// The magic number must be whole in the first read for the check to be
    /// exact; a shorter file is not a frame at all.
    private func checkMagic() throws {
        while inputEnd < Self.magic.count {
            let more = try input.withUnsafeMutableBytes { try source(UnsafeMutableRawBufferPointer(rebasing: $0[inputEnd...])) }
            guard more > 0 else { throw LZ4FrameError.notAFrame }
            inputEnd += more
        }
        guard Array(input[0..<Self.magic.count]) == Self.magic else { throw LZ4FrameError.notAFrame }
    }
}
