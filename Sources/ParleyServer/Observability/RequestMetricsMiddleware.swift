import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Counts requests and records their durations by route, method and
/// status, with the metric and label names of Hummingbird's
/// `MetricsMiddleware`.
///
/// Unlike that middleware, this one records when the handler has produced
/// its response, not after the body has been written. Learning when the body
/// was written means wrapping it in a closure, and a wrapped body is written
/// as a stream: its head in one write, its body and end in others, each a
/// hand-over to the connection's event loop and a system call of its own.
/// Every Parley response but the event stream is one buffer, which
/// Hummingbird writes with its head in a single write when left unwrapped.
/// So for the event stream the duration is the time to open it, it is
/// counted when it opens, and it is not among the active requests while it
/// runs. There is no error counter: ``ErrorMiddleware``, inside this one,
/// turns every error into a response, which is counted by its status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let instruments = RequestInstruments()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let active = instruments.active(request.method)
        active.increment()
        defer { active.decrement() }
        let response = try await next(request, context)
        let endpoint = instruments.endpoint(
            RequestInstruments.Endpoint(route: context.endpointPath ?? "Unknown", method: request.method, status: response.status))
        endpoint.requests.increment()
        endpoint.duration.record(duration: ContinuousClock.now - start)
        return response
    }
}

/// The metrics of each route, method and status seen so far, made once:
/// asking the metrics factory for them on every request would cost a lookup
/// behind its own lock and the labels' strings.
final class RequestInstruments: Sendable {
    struct Endpoint: Hashable {
        var route: String
        var method: HTTPRequest.Method
        var status: HTTPResponse.Status
    }

    struct EndpointMetrics: Sendable {
        let requests: Counter
        let duration: Metrics.Timer
    }

    private let endpoints = Mutex<[Endpoint: EndpointMetrics]>([:])
    private let methods = Mutex<[HTTPRequest.Method: Meter]>([:])

    func active(_ method: HTTPRequest.Method) -> Meter {
        methods.withLock { meters in
            if let meter = meters[method] { return meter }
            let meter = Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
            meters[method] = meter
            return meter
        }
    }

    func endpoint(_ endpoint: Endpoint) -> EndpointMetrics {
        endpoints.withLock { known in
            if let metrics = known[endpoint] { return metrics }
            let dimensions = [
                ("http.route", endpoint.route), ("http.request.method", endpoint.method.rawValue),
                ("http.response.status_code", String(endpoint.status.code)),
            ]
            let metrics = EndpointMetrics(
                requests: Counter(label: "hb.requests", dimensions: dimensions),
                duration: Metrics.Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds))
            known[endpoint] = metrics
            return metrics
        }
    }
}
