import Domain
import Foundation

/// How pages show times and numbers.
enum ViewFormat {
    /// "just now", "5 min ago", "3 h ago", "2 d ago".
    static func ago(_ date: Date?, now: Date) -> String {
        guard let date else { return "never" }
        let seconds = max(0, now.timeIntervalSince(date))
        switch seconds {
        case ..<45: return "just now"
        case ..<3600: return "\(Int((seconds / 60).rounded(.up))) min ago"
        case ..<172_800: return "\(Int(seconds / 3600)) h ago"
        default: return "\(Int(seconds / 86_400)) d ago"
        }
    }

    /// ISO 8601 in UTC, for `<time datetime>` and titles.
    static func iso(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(.iso8601)
    }

    /// "2026-12-08 01:02 UTC".
    static func clock(_ date: Date?) -> String {
        guard let date else { return "—" }
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    static func milliseconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return value >= 100 ? "\(Int(value.rounded())) ms" : String(format: "%.1f ms", value)
    }

    static func percent(_ value: Double?) -> String {
        guard let value else { return "—" }
        return String(format: "%.2f %%", value)
    }

    /// Whole days from now to `date` (negative: past).
    static func daysLeft(_ date: Date?, now: Date) -> Int? {
        guard let date else { return nil }
        return Int((date.timeIntervalSince(now) / 86_400).rounded(.down))
    }

    /// The last failure (`category: message`) of a monitor that is down or degraded; nil otherwise.
    static func failure(_ monitor: Monitor) -> String? {
        guard monitor.state == .down || monitor.state == .degraded else { return nil }
        return [monitor.health.lastFailureCategory, monitor.health.lastFailureMessage].compactMap { $0 }.joined(separator: ": ")
    }

    /// The total of a check's phase timings (`{"total": 12.3, …}`).
    static func totalMilliseconds(_ timings: String) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(timings.utf8)) as? [String: Any] else { return nil }
        return (object["total"] as? NSNumber)?.doubleValue
    }
}
