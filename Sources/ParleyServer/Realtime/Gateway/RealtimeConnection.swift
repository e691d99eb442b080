import NIOCore
import NIOWebSocket

/// One upgraded WebSocket connection, driven by the channel's callbacks
/// rather than by a task of its own.
///
/// Text frames are queued in ``InboundFrames`` and handled by a task that
/// exists only while there are some. The session's ``Outbox`` is written
/// on the event loop whenever it has something and the socket takes more:
/// a client that stops reading stops the writes, its outbox fills up, and it
/// is closed as slow. An idle connection is this handler, its session and
/// NIO's channel: no task, no stack.
final class RealtimeConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let gateway: RealtimeGateway
    private let session: ClientSession
    private let inbound = InboundFrames()
    /// Where the outbox's wake-ups find this handler; emptied when it leaves the pipeline.
    private let slot: NIOLoopBoundBox<RealtimeConnection?>
    private var context: ChannelHandlerContext?
    private var closeSent = false
    private var registered = false

    private init(gateway: RealtimeGateway, session: ClientSession, slot: NIOLoopBoundBox<RealtimeConnection?>) {
        self.gateway = gateway
        self.session = session
        self.slot = slot
    }

    /// Adds a connection's handlers to a channel just upgraded to WebSocket.
    static func install(on channel: any Channel, gateway: RealtimeGateway) throws {
        let slot = NIOLoopBoundBox<RealtimeConnection?>(nil, eventLoop: channel.eventLoop)
        let session = ClientSession(
            gateway: gateway,
            outboxReady: { slot.eventLoop.execute { slot.value?.writeOutbox() } },
            abort: { channel.close(promise: nil) })
        let connection = RealtimeConnection(gateway: gateway, session: session, slot: slot)
        let frameBytes = gateway.api.configuration.maxFrameBytes
        try channel.pipeline.syncOperations.addHandlers([
            NIOWebSocketFrameAggregator(
                minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024, maxAccumulatedFrameSize: frameBytes),
            connection,
        ])
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        guard context.channel.isActive else {
            // Gone before it was handed over: no inactive event will come.
            session.close()
            return
        }
        slot.value = self
        registered = true
        gateway.opened(session)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        slot.value = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        if registered, inbound.end() { handleFrames() }
        context.fireChannelInactive()
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let queued = inbound.push(Array(frame.unmaskedData.readableBytesView))
            if queued.pause { setReading(false, context: context) }
            if queued.start { handleFrames() }
        case .ping:
            // A client that pings without reading gets no pongs piling up
            // here: RFC 6455 lets the latest ping stand for those before it.
            guard !closeSent, context.channel.isWritable else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .connectionClose:
            receivedClose(frame, context: context)
        default:
            session.outbox.close(.badRequest)
        }
    }

    /// The client closes: answer with its code (the handshake's second half)
    /// unless ours went first, then drop the socket.
    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        guard !closeSent else {
            context.close(promise: nil)
            return
        }
        closeSent = true
        var data = frame.unmaskedData
        var echo = context.channel.allocator.buffer(capacity: 2)
        if let code = data.readInteger(as: UInt16.self), Self.echoable(code) { echo.writeInteger(code) }
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: echo)))
            .whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
    }

    /// Whether a client's close code may go back on the wire: the codes an
    /// endpoint may send (RFC 6455 §7.4), not those reserved for reporting.
    private static func echoable(_ code: UInt16) -> Bool {
        (1000...1003).contains(code) || (1007...1014).contains(code) || (3000...4999).contains(code)
    }

    private func setReading(_ on: Bool, context: ChannelHandlerContext) {
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: on)
    }

    /// Handles queued frames on a task of their own until none are left; at
    /// the end of the connection, closes the session.
    private func handleFrames() {
        let inbound = inbound
        let session = session
        let gateway = gateway
        let slot = slot
        Task {
            while true {
                switch inbound.next() {
                case .frame(let frame, let resume):
                    if resume { slot.eventLoop.execute { slot.value?.resumeReading() } }
                    await session.receive(frame)
                case .ended:
                    session.close()
                    gateway.closed(session)
                    return
                case .idle:
                    return
                }
            }
        }
    }

    /// Reads on, unless a pause was decided since the resume was asked for.
    private func resumeReading() {
        guard let context, !inbound.isPaused else { return }
        setReading(true, context: context)
    }

    // MARK: Writing

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { writeOutbox() }
        context.fireChannelWritabilityChanged()
    }

    /// Writes what the outbox holds while the socket takes it: queued frames
    /// go out newline-joined, ``RealtimeGateway/framesPerWrite`` to a
    /// WebSocket frame; a close becomes the close frame.
    private func writeOutbox() {
        guard let context, !closeSent else { return }
        while context.channel.isWritable, let next = session.outbox.take() {
            switch next {
            case .frames(let frames):
                var start = 0
                while start < frames.count {
                    let end = min(start + RealtimeGateway.framesPerWrite, frames.count)
                    var buffer = context.channel.allocator.buffer(
                        capacity: frames[start..<end].reduce(end - start) { $0 + $1.count })
                    for index in start..<end {
                        if index > start { buffer.writeInteger(UInt8(ascii: "\n")) }
                        buffer.writeBytes(frames[index])
                    }
                    context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
                    start = end
                }
            case .close(let reason):
                guard let reason else {
                    context.close(promise: nil)
                    return
                }
                sendClose(reason, context: context)
                return
            }
        }
        context.flush()
    }

    /// Our half of the closing handshake: the client answers with its own
    /// close frame, on which the socket closes, or the gateway's ticker drops
    /// it after ``RealtimeGateway/closeGraceSeconds``. Reading goes on
    /// meanwhile, so a client still sending is not reset before it has read
    /// the close.
    private func sendClose(_ reason: Disconnect, context: ChannelHandlerContext) {
        closeSent = true
        if reason == .slow { gateway.slowDisconnects.increment() }
        var data = context.channel.allocator.buffer(capacity: 2 + reason.reason.utf8.count)
        data.writeInteger(reason.code)
        data.writeString(reason.reason)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
    }

    // MARK: Events

    /// A shutdown closes with 1000 (the SDKs reconnect elsewhere and
    /// recover). A client that shut its side of the socket is gone: the
    /// connection closes, and the frames it sent before are still handled.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            session.outbox.close(.shutdown)
        case ChannelEvent.inputClosed:
            context.close(promise: nil)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// A message over the size limit closes as the frame decoder closes on a
    /// frame over it (1009), fragments that make no message with 1002, after
    /// the replies already queued and with the closing handshake. Errors from
    /// the frame decoder were answered by NIO's protocol error handler, and
    /// socket errors leave nothing to answer: the connection closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? NIOWebSocketFrameAggregator.Error else {
            return context.close(promise: nil)
        }
        session.outbox.close(error == .accumulatedFrameSizeIsTooLarge ? .messageTooBig : .protocolError)
    }
}
