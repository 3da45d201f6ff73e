public import Foundation

/// The reference API's human forms: durations like `2m 30s`, `1h 5m`, `2d 3h`,
/// and dates like `Feb 26, 2026, 12:10:00` (UTC).
public enum HistoryFormat {
    public static func duration(seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds.rounded(.down)))
        let (days, hours, minutes, secs) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60, total % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m \(secs)s" }
        return "\(secs)s"
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func referenceDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%@ %d, %04d, %02d:%02d:%02d", months[Int(parts.tm_mon)], Int(parts.tm_mday), Int(parts.tm_year) + 1900,
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
