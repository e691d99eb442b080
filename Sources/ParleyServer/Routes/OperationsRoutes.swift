import Hummingbird
import NIOCore
import Metrics
import Prometheus

/// `/healthz`, `/readyz` and `/metrics`: what a supervisor and Prometheus poll.
extension ParleyAPI {
    func addOperationsRoutes(to router: Router<ParleyRequestContext>, registry: PrometheusCollectorRegistry?) {
        router.get("healthz") { _, _ in JSONResponse(["status": "ok"]) }
        router.get("readyz") { _, _ in
            if let reason = self.ledger.stoppedReason {
                return JSONResponse(status: .serviceUnavailable, ["status": "unavailable", "reason": .string(reason)])
            }
            return JSONResponse([
                "status": "ready", "head": .uint(self.ledger.log.head), "epoch": .string(self.epoch),
                "automation_offset": .uint(self.automation.offset),
            ])
        }
        guard let registry else { return }
        let lag = Metrics.Gauge(label: "parley_projection_lag_events")
        router.get("metrics") { _, _ in
            let head = self.ledger.log.head
            let folded = self.ledger.foldedOffset
            lag.record(head > folded ? head - folded : 0)
            var bytes = [UInt8]()
            registry.emit(into: &bytes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
