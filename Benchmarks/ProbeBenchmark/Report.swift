import Foundation

/// The table and the verdict lines.
enum Report {
    static func header() {
        print(
            row(
                "client", "conc", "checks/s", "client CPU", "Dovecot CPU", "busy cores", "p50 ms", "p95 ms", "ok/checks",
                "wall s"))
        print(row("", "", "", "ms/check", "ms/check (≈)", "of \(ProcessInfo.processInfo.activeProcessorCount)", "", "", "", ""))
    }

    static func line(_ m: Measurement) {
        print(
            row(
                m.client, "\(m.concurrency)", f(m.checksPerSecond, 1), f(m.clientMillisecondsPerCheck, 3),
                m.dovecotMillisecondsPerCheck.map { f($0, 2) } ?? "n/a", f(m.busyCores, 2), m.p50.map { f($0, 1) } ?? "-",
                m.p95.map { f($0, 1) } ?? "-", "\(m.ok)/\(m.checks)", f(m.wallSeconds, 2)))
    }

    static func f(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    private static func row(_ columns: String...) -> String {
        let widths = [26, 5, 9, 11, 13, 11, 7, 7, 10, 7]
        return zip(columns, widths).enumerated().map { index, pair in
            let (text, width) = pair
            let pad = String(repeating: " ", count: max(0, width - text.count))
            return index == 0 ? text + pad : pad + text
        }.joined(separator: " ")
    }
}
