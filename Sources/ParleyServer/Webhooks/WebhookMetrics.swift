import Metrics

/// One webhook's metrics, labelled with its id (`webhook`).
struct WebhookMetrics: Sendable {
    let deliveries: Counter
    let failures: Counter
    let retries: Counter
    let backlog: Gauge
    let latency: Metrics.Timer

    init(webhookID: UInt64) {
        let dimensions = [("webhook", String(webhookID))]
        deliveries = Counter(label: "parley_webhook_deliveries_total", dimensions: dimensions)
        failures = Counter(label: "parley_webhook_failures_total", dimensions: dimensions)
        retries = Counter(label: "parley_webhook_retries_total", dimensions: dimensions)
        backlog = Gauge(label: "parley_webhook_backlog_events", dimensions: dimensions)
        latency = Metrics.Timer(label: "parley_webhook_delivery_latency_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
    }
}
