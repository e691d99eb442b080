import ParleyLog

/// The entries the crash child appends, derived from `(cycle, appender, n)` alone
/// so the checker can rebuild every acknowledged entry byte for byte.
///
/// Every tenth append carries two entries (atomicity), every seventh entry is
/// ephemeral, payload sizes vary from 32 to 1,531 bytes, and every entry has an
/// idempotency key.
enum CrashWorkload {
    static func entries(cycle: Int, appender: Int, n: Int) -> [NewEntry] {
        let count = n % 10 == 9 ? 2 : 1
        return (0..<count).map { k in
            let account = UInt64(1 + appender % 3)
            return NewEntry(
                type: "crash.test",
                accountID: account,
                streams: [
                    "conversation:\(account):\(appender)", "account:\(account)", "contact:\(account):\(appender % 5)",
                ],
                retention: (n + k) % 7 == 6 ? .ephemeral : .durable,
                idempotencyKey: "c\(cycle)-a\(appender)-n\(n)-k\(k)",
                payload: payload(cycle: cycle, appender: appender, n: n, k: k))
        }
    }

    private static func payload(cycle: Int, appender: Int, n: Int, k: Int) -> [UInt8] {
        let length = 32 + (n &* 37 &+ appender &* 11 &+ k &* 101) % 1500
        var state = UInt64(truncatingIfNeeded: cycle &* 1_000_003 &+ appender &* 7919 &+ n &* 31 &+ k) | 1
        return (0..<length).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    /// One acknowledged append as the child prints it: `ack cycle appender n offset[,offset]`.
    struct Ack: Hashable {
        var cycle: Int
        var appender: Int
        var n: Int
        var offsets: [UInt64]

        var line: String {
            "ack \(cycle) \(appender) \(n) \(offsets.map(String.init).joined(separator: ","))\n"
        }

        init(cycle: Int, appender: Int, n: Int, offsets: [UInt64]) {
            self.cycle = cycle
            self.appender = appender
            self.n = n
            self.offsets = offsets
        }

        init?(line: Substring) {
            let parts = line.split(separator: " ")
            guard parts.count == 5, parts[0] == "ack", let cycle = Int(parts[1]), let appender = Int(parts[2]),
                let n = Int(parts[3])
            else { return nil }
            let offsets = parts[4].split(separator: ",").compactMap { UInt64($0) }
            guard !offsets.isEmpty else { return nil }
            self.init(cycle: cycle, appender: appender, n: n, offsets: offsets)
        }
    }
}
