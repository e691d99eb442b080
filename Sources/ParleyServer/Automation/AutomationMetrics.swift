import Metrics

/// Counts of the bot commands the automation reactor runs, by action: made
/// once, so both series are exported (at 0) before the first command.
struct AutomationMetrics: Sendable {
    private let succeeded: [String: Counter]
    private let failed: [String: Counter]

    init(actions: [String] = ["react", "notifyWaiting"]) {
        succeeded = Dictionary(uniqueKeysWithValues: actions.map { action in
            (action, Counter(label: "parley_automation_commands_total", dimensions: [("action", action)]))
        })
        failed = Dictionary(uniqueKeysWithValues: actions.map { action in
            (action, Counter(label: "parley_automation_failures_total", dimensions: [("action", action)]))
        })
        for counter in succeeded.values { counter.increment(by: 0) }
        for counter in failed.values { counter.increment(by: 0) }
    }

    func succeeded(_ action: String) {
        (succeeded[action] ?? Counter(label: "parley_automation_commands_total", dimensions: [("action", action)])).increment()
    }

    func failed(_ action: String) {
        (failed[action] ?? Counter(label: "parley_automation_failures_total", dimensions: [("action", action)])).increment()
    }
}
