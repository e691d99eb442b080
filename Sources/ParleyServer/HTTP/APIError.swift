import Hummingbird
import ParleyDomain
import ParleyLog
import ParleyProjections

/// An error as the API answers it: a status and
/// `{"error": {"code": "...", "message": "..."}}` with a code that stays stable.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(.badRequest, code: code, message: message)
    }

    public static func invalid(_ field: String, _ reason: String) -> APIError {
        APIError(.badRequest, code: "invalid_argument", message: "\(field): \(reason)")
    }

    /// Well-formed input the API will not take (as the domain's own refusals): a 422.
    public static func unprocessable(_ field: String, _ reason: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_argument", message: "\(field): \(reason)")
    }

    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) not found")
    }

    public static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", message: "a valid api_access_token header is required")

    public static func forbidden(_ reason: String) -> APIError {
        APIError(.forbidden, code: "forbidden", message: "forbidden: \(reason)")
    }

    /// The body every error response carries.
    public var body: JSONOut {
        ["error": ["code": .string(code), "message": .string(message)]]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse(status: status, body).response
    }
}

extension APIError {
    /// The API's answer for anything a handler throws. Refusals become 4xx;
    /// storage trouble becomes 503 (retrying with the same idempotency key
    /// is safe); nothing a client sends becomes a 500.
    public init(_ error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as DomainError:
            self.init(Self.status(of: error), code: error.code, message: error.description)
        case let error as LogError:
            let status = Self.status(of: error)
            // Storage trouble is logged in full; the client learns only that it may retry.
            let message =
                status == .serviceUnavailable
                ? "storage is unavailable; retrying with the same Idempotency-Key is safe" : error.description
            self.init(status, code: error.code, message: message)
        case let error as LedgerError:
            self.init(.serviceUnavailable, code: error.code, message: error.description)
        case let error as ReportError:
            self.init(.badRequest, code: error.code, message: "\(error)")
        case let error as JSONParser.Failure:
            self.init(.badRequest, code: "malformed_json", message: error.message)
        case let error as any HTTPResponseError:
            switch error.status {
            case .contentTooLarge:
                self.init(.contentTooLarge, code: "body_too_large", message: "the request body is larger than the limit")
            case .notFound:
                self.init(.notFound, code: "route_not_found", message: "no such route")
            case .methodNotAllowed:
                self.init(.methodNotAllowed, code: "method_not_allowed", message: "the route does not take this method")
            case let status where status.code < 500:
                self.init(status, code: "bad_request", message: status.reasonPhrase)
            default:
                self.init(.serviceUnavailable, code: "unavailable", message: error.status.reasonPhrase)
            }
        default:
            self.init(.internalServerError, code: "internal", message: "an unexpected error occurred")
        }
    }

    private static func status(of error: DomainError) -> HTTPResponse.Status {
        switch error {
        case .notFound: .notFound
        case .forbidden, .contactBlocked: .forbidden
        case .invalid, .contentTooLong, .tooManyAttachments: .unprocessableContent
        case .conflict: .conflict
        case .rateLimited: .tooManyRequests
        }
    }

    private static func status(of error: LogError) -> HTTPResponse.Status {
        switch error {
        case .versionConflict: .conflict
        case .entryTooLarge: .contentTooLarge
        case .storage, .closed, .rejectedByHook: .serviceUnavailable
        case .notADirectory, .cannotCreateDirectory, .notWritable, .notALogDirectory, .missingDirectory, .locked, .corrupt,
            .unsupportedFormat:
            .serviceUnavailable
        default: .badRequest
        }
    }
}
