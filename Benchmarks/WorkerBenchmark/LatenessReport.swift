import Foundation

/// Start lateness and throughput, for the first minute (first runs spread over it) and after.
struct LatenessReport {
    struct Window {
        let name: String
        let count: Int
        let perSecond: Double
        let p50: Double
        let p99: Double
        let max: Double
    }

    let windows: [Window]
    var steady: Window? { windows.last { $0.name.hasPrefix("steady") && $0.count > 0 } }

    init(checks: [MonitorFleet.Check], start: Date, seconds: Double) {
        let split = start.addingTimeInterval(60)
        func window(_ name: String, _ selected: [MonitorFleet.Check], length: Double) -> Window {
            let lateness = selected.map { $0.checkedAt.timeIntervalSince($0.dueAt) }.sorted()
            func quantile(_ q: Double) -> Double { lateness.isEmpty ? .nan : lateness[min(lateness.count - 1, Int(Double(lateness.count) * q))] }
            return Window(
                name: name, count: selected.count, perSecond: length > 0 ? Double(selected.count) / length : .nan,
                p50: quantile(0.5), p99: quantile(0.99), max: lateness.last ?? .nan)
        }
        // Checks due in the last 15 s may still be running at the end: leave them out of the rate.
        let end = start.addingTimeInterval(seconds - 15)
        windows = [
            window("first minute (first runs)", checks.filter { $0.dueAt < split }, length: 60),
            window(String(format: "steady (%.0f s after it)", max(0, seconds - 75)), checks.filter { $0.dueAt >= split && $0.dueAt < end },
                   length: max(0, seconds - 75)),
        ]
    }

    func table(cpuSeconds: Double, peakRSS: Double, finalRSS: Double) -> String {
        var lines = ["", "window                          checks   checks/s   lateness p50 s   p99 s   max s"]
        for w in windows {
            lines.append(
                w.name.padding(toLength: 30, withPad: " ", startingAt: 0)
                    + String(format: " %8d   %8.1f   %14.3f   %5.3f   %5.3f", w.count, w.perSecond, w.p50, w.p99, w.max))
        }
        let total = windows.reduce(0) { $0 + $1.count }
        lines.append(String(format: "\nworker CPU: %.1f s over the run, %.3f ms per check (incl. the tiny IMAP server)", cpuSeconds,
                            total > 0 ? cpuSeconds * 1000 / Double(total) : .nan))
        lines.append(String(format: "worker RSS: peak %.0f MB, at the end %.0f MB", peakRSS, finalRSS))
        return lines.joined(separator: "\n")
    }
}
