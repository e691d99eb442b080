import CLZ4

/// Compresses a byte stream into one LZ4 frame (the format `lz4 -d` reads),
/// handing the compressed bytes to `sink` as they are produced.
///
/// The frame carries a checksum of each block and of the whole content, so a
/// reader finds a flipped bit or a cut-off file rather than decoding garbage.
/// The writer owns its LZ4F compression context and frees it when it goes away.
public final class LZ4FrameWriter {
    /// Input is gathered to this size before it is compressed.
    static let chunkSize = 256 << 10

    private let context: OpaquePointer
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private var preferences: LZ4F_preferences_t
    private var pending: [UInt8] = []
    private var output: [UInt8] = []
    private var finished = false

    /// Starts a frame, writing its header to `sink` at once.
    public init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        var created: OpaquePointer?
        let status = LZ4F_createCompressionContext(&created, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(status) == 0, let created else { throw LZ4FrameError.failed(Self.name(of: status)) }
        context = created
        self.sink = sink
        preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max256KB
        preferences.frameInfo.blockMode = LZ4F_blockLinked
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled
        pending.reserveCapacity(Self.chunkSize + 4096)
        output = [UInt8](repeating: 0, count: max(Int(LZ4F_HEADER_SIZE_MAX), bound(Self.chunkSize)))
        let written = output.withUnsafeMutableBytes { out in
            LZ4F_compressBegin(context, out.baseAddress, out.count, &preferences)
        }
        guard LZ4F_isError(written) == 0 else { throw LZ4FrameError.failed(Self.name(of: written)) }
        try emit(written)
    }

    deinit {
        LZ4F_freeCompressionContext(context)
    }

    /// Adds `bytes` to the frame.
    public func write(_ bytes: some Collection<UInt8>) throws {
        precondition(!finished, "write after finish")
        pending.append(contentsOf: bytes)
        if pending.count >= Self.chunkSize { try compressPending() }
    }

    /// Compresses what is left and writes the frame's end mark and checksum.
    public func finish() throws {
        precondition(!finished, "finish called twice")
        try compressPending()
        finished = true
        ensureOutput(bound(0))
        let written = output.withUnsafeMutableBytes { out in LZ4F_compressEnd(context, out.baseAddress, out.count, nil) }
        guard LZ4F_isError(written) == 0 else { throw LZ4FrameError.failed(Self.name(of: written)) }
        try emit(written)
    }

    private func compressPending() throws {
        guard !pending.isEmpty else { return }
        ensureOutput(bound(pending.count))
        let written = pending.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                LZ4F_compressUpdate(context, out.baseAddress, out.count, input.baseAddress, input.count, nil)
            }
        }
        guard LZ4F_isError(written) == 0 else { throw LZ4FrameError.failed(Self.name(of: written)) }
        pending.removeAll(keepingCapacity: true)
        try emit(written)
    }

    private func emit(_ count: Int) throws {
        guard count > 0 else { return }
        try output.withUnsafeBytes { out in try sink(UnsafeRawBufferPointer(rebasing: out[..<count])) }
    }

    private func bound(_ size: Int) -> Int {
        LZ4F_compressBound(size, &preferences)
    }

    private func ensureOutput(_ size: Int) {
        if output.count < size { output = [UInt8](repeating: 0, count: size) }
    }

    static func name(of code: Int) -> String {
        String(cString: LZ4F_getErrorName(code))
    }
}

/// What LZ4 frame compression or decompression ran into.
public enum LZ4FrameError: Error, Hashable, CustomStringConvertible {
    /// The bytes do not start with the LZ4 frame magic number.
    case notAFrame
    /// The input ended before the frame's end mark.
    case truncated
    /// A checksum or a block did not decode (LZ4's own error name).
    case corrupt(String)
    /// Bytes follow the frame's end mark.
    case trailingData
    /// liblz4 refused to work (out of memory, a version mismatch).
    case failed(String)

    public var description: String {
        switch self {
        case .notAFrame: "not an LZ4 frame"
        case .truncated: "the LZ4 frame ends early (truncated)"
        case .corrupt(let reason): "the LZ4 frame is corrupt (\(reason))"
        case .trailingData: "bytes follow the end of the LZ4 frame"
        case .failed(let reason): "LZ4 failed: \(reason)"
        }
    }
}
