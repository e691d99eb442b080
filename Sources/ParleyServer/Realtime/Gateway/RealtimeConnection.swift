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
        slot.value = connection
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
            slot.value = nil
            session.close()
            return
        }
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
            if queued.pause { context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in } }
            if queued.start { handleFrames() }
        case .ping:
            guard !closeSent else { return }
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
        if let code = data.readInteger(as: UInt16.self) { echo.writeInteger(code) }
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: echo)))
            .whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
    }

    /// Handles queued frames on a task of their own until none are left; at
    /// the end of the connection, closes the session.
    private func handleFrames() {
        let inbound = inbound
        let session = session
        let gateway = gateway
        let channel = context?.channel
        Task {
            while true {
                switch inbound.next() {
                case .frame(let frame, let resume):
                    if resume { channel?.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in } }
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

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            session.outbox.close(.shutdown)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// A message over the size limit is refused as the frame decoder refuses
    /// a frame over it (1009); other framing errors (NIO's protocol error
    /// handler has already answered those from the decoder) end the connection.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOWebSocketFrameAggregator.Error, !closeSent {
            closeSent = true
            let code: WebSocketErrorCode = error == .accumulatedFrameSizeIsTooLarge ? .messageTooLarge : .protocolError
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: code)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)))
                .whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }
}
