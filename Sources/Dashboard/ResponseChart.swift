import Foundation

/// Response times as inline SVG (no script, no external file): a sparkline for the fleet's rows and
/// a chart with an axis for the monitor's page. Pure: values in, markup out.
enum ResponseChart {
    /// A point: its response time and whether it passed; a passing point without a time is a gap (nothing checked).
    struct Point: Sendable {
        var milliseconds: Double?
        var ok: Bool
    }

    /// A 120×24 sparkline, oldest left; failed checks are red ticks at the bottom.
    static func sparkline(_ points: [Point], label: String) -> String {
        chart(points, width: 120, height: 24, axis: false, label: label)
    }

    /// A wide chart with the slowest time written at the top.
    static func wide(_ points: [Point], label: String) -> String {
        chart(points, width: 640, height: 160, axis: true, label: label)
    }

    static func chart(_ points: [Point], width: Double, height: Double, axis: Bool, label: String) -> String {
        let top = axis ? 16.0 : 2.0
        let bottom = height - 2
        var svg = #"<svg class="chart" viewBox="0 0 \#(Int(width)) \#(Int(height))" width="\#(Int(width))" height="\#(Int(height))" role="img" aria-label="\#(escape(label))">"#
        guard points.contains(where: { $0.milliseconds != nil || !$0.ok }) else {
            return svg + #"<text x="4" y="\#(Int(height / 2 + 4))" class="chart-empty">no checks yet</text></svg>"#
        }
        let times = points.filter(\.ok).compactMap(\.milliseconds)
        let maximum = max(times.max() ?? 1, 1)
        let step = points.count > 1 ? width / Double(points.count - 1) : 0
        func x(_ index: Int) -> Double { points.count > 1 ? Double(index) * step : width / 2 }
        func y(_ value: Double) -> Double { bottom - (value / maximum) * (bottom - top) }
        var path = ""
        var pen = false
        for (index, point) in points.enumerated() {
            guard let value = point.milliseconds, point.ok else {
                pen = false
                continue
            }
            path += String(format: "%@%.1f %.1f ", pen ? "L" : "M", x(index), y(value))
            pen = true
        }
        if axis {
            svg += #"<line x1="0" y1="\#(bottom)" x2="\#(width)" y2="\#(bottom)" class="chart-axis"/>"#
            svg += #"<text x="2" y="11" class="chart-label">\#(escape(ViewFormat.milliseconds(maximum)))</text>"#
        }
        if !path.isEmpty { svg += #"<path d="\#(path)" class="chart-line" fill="none"/>"# }
        // A point with no neighbour to draw a line to is a dot.
        for (index, point) in points.enumerated() {
            guard point.ok, let value = point.milliseconds else { continue }
            let before = index > 0 && points[index - 1].ok && points[index - 1].milliseconds != nil
            let after = index + 1 < points.count && points[index + 1].ok && points[index + 1].milliseconds != nil
            if !before && !after { svg += String(format: #"<circle cx="%.1f" cy="%.1f" r="2" class="chart-dot"/>"#, x(index), y(value)) }
        }
        for (index, point) in points.enumerated() where !point.ok {
            svg += String(format: #"<rect x="%.1f" y="%.1f" width="2" height="%.1f" class="chart-failure"/>"#, max(0, x(index) - 1), bottom - 6, 6.0)
        }
        return svg + "</svg>"
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
