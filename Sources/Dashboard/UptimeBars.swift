import Foundation

/// Daily uptime as a row of bars in inline SVG: one bar a day, oldest left, coloured by the day's
/// share of passing checks, each with a title a pointer or screen reader shows. Pure.
enum UptimeBars {
    static func svg(_ days: [(start: Date, checks: Int, ok: Int)], label: String) -> String {
        let width = 4.0, gap = 1.0, height = 28.0
        let total = Double(days.count) * (width + gap) - gap
        var svg = #"<svg class="bars" viewBox="0 0 \#(Int(total)) \#(Int(height))" width="100%" height="\#(Int(height))" preserveAspectRatio="none" role="img" aria-label="\#(ResponseChart.escape(label))">"#
        for (index, day) in days.enumerated() {
            let kind: String
            let text: String
            if day.checks == 0 {
                kind = "none"
                text = "no checks"
            } else {
                let percent = Double(day.ok) * 100 / Double(day.checks)
                kind = percent >= 100 ? "up" : percent >= 95 ? "degraded" : "down"
                text = String(format: "%.2f %% of %d checks passed", percent, day.checks)
            }
            svg += String(format: #"<rect x="%.0f" y="0" width="%.0f" height="%.0f" rx="1" class="bar-%@"><title>%@: %@</title></rect>"#,
                          Double(index) * (width + gap), width, height, kind, day.start.formatted(.iso8601.year().month().day()), text)
        }
        return svg + "</svg>"
    }

    /// The share of passing checks over all the days, or nil without checks.
    static func percent(_ days: [(start: Date, checks: Int, ok: Int)]) -> Double? {
        let checks = days.reduce(0) { $0 + $1.checks }
        guard checks > 0 else { return nil }
        return Double(days.reduce(0) { $0 + $1.ok }) * 100 / Double(checks)
    }
}
