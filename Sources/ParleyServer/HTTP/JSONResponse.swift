import Hummingbird
import NIOCore

/// A JSON response: the status and the body, written in one buffer.
public struct JSONResponse: ResponseGenerator, Sendable {
    public var status: HTTPResponse.Status
    public var body: JSONOut

    public init(status: HTTPResponse.Status = .ok, _ body: JSONOut) {
        self.status = status
        self.body = body
    }

    public var response: Response {
        var bytes = [UInt8]()
        bytes.reserveCapacity(512)
        body.write(into: &bytes)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response
    }
}
