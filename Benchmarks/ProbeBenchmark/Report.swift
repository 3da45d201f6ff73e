import Foundation
import MailProbe

/// What is printed: the setting, the table, the comparisons and the verdict.
enum Report {
    static let barMilliseconds = 0.5

    static func preamble(_ options: Options, server: BenchServer, first: ProbeResult, user: String) {
        print("IMAPS LOGIN + SELECT INBOX + LOGOUT as \(user) on 127.0.0.1:\(server.port), \(dovecotVersion())")
        print("server: \(first.tlsVersion ?? "?"), certificate \(first.certificate?.subject ?? "?") issued by \(first.certificate?.issuer ?? "?")")
        print(
            options.verify
                ? "verification: ON on both sides (system roots + the test CA; IP literal, no SNI, checked against the IP SAN)"
                : "verification: OFF on both sides (--insecure)")
        print("client CPU: getrusage(RUSAGE_SELF) user+sys of the client process over the run (Python: os.times() in the script)")
        print(
            server.dovecotPID == nil
                ? "Dovecot CPU: not measured (no master pid)"
                : "Dovecot CPU ≈ utime+stime+cutime+cstime of Dovecot's process group (/proc); approximate: session processes come and go, 10 ms ticks")
        print(
            "\(ProcessInfo.processInfo.activeProcessorCount) cores shared by client and server; busy cores = the whole machine (/proc/stat),",
            "other load included")
    }

    static func header() {
        print(row("client", "conc", "checks/s", "client CPU", "of it sys", "Dovecot CPU", "busy", "p50 ms", "p95 ms", "ok/checks"))
        print(row("", "", "", "ms/check", "ms/check", "ms/check (≈)", "cores", "", "", ""))
    }

    static func line(_ m: Measurement) {
        print(
            row(
                m.client, "\(m.concurrency)", f(m.checksPerSecond, 1), f(m.clientMillisecondsPerCheck, 3),
                f(m.clientSysMillisecondsPerCheck, 3), m.dovecotMillisecondsPerCheck.map { f($0, 2) } ?? "n/a",
                f(m.busyCores, 2), m.p50.map { f($0, 1) } ?? "-", m.p95.map { f($0, 1) } ?? "-", "\(m.ok)/\(m.checks)"))
    }

    /// Prints the comparisons and the bar's PASS/FAIL; false if any check failed (the bar alone does not fail the run).
    static func verdict(_ measurements: [Measurement], floor: Measurement?, python: Measurement?, failures: [String: Int]) -> Bool {
        if let python {
            for m in measurements {
                print(
                    "mailmon at concurrency \(m.concurrency) vs imaplib with \(python.concurrency) threads:",
                    f(python.clientMillisecondsPerCheck / m.clientMillisecondsPerCheck, 1) + "× less client CPU per check,",
                    f(m.checksPerSecond / python.checksPerSecond, 2) + "× the checks/s")
            }
        }
        if let busiest = measurements.max(by: { $0.concurrency < $1.concurrency }) {
            let share = busiest.clientMillisecondsPerCheck * busiest.checksPerSecond / 10 / busiest.busyCores
            var line = "at concurrency \(busiest.concurrency): \(f(busiest.busyCores, 2)) cores busy, \(f(share, 0))% of it mailmon; "
                + "mailmon \(f(busiest.clientMillisecondsPerCheck, 3)) ms CPU/check"
            if let dovecot = busiest.dovecotMillisecondsPerCheck {
                line += ", Dovecot ≈ \(f(dovecot, 2)) ms CPU/check (\(f(dovecot / busiest.clientMillisecondsPerCheck, 1))× mailmon's)"
            }
            print(line)
            print(
                "mailmon alone would sustain ≈ \(f(1000 / busiest.clientMillisecondsPerCheck, 0)) checks/s per core;",
                "measured \(f(busiest.checksPerSecond, 0)) checks/s: the server side (Dovecot + its kernel work) sets the pace")
            if let floor {
                print(
                    "floor (connect + TLS handshake + close, same TLS settings, no IMAP): \(f(floor.clientMillisecondsPerCheck, 3)) ms/check;",
                    "mailmon's IMAP session adds \(f(busiest.clientMillisecondsPerCheck - floor.clientMillisecondsPerCheck, 3)) ms")
            }
        }
        let worst = measurements.map(\.clientMillisecondsPerCheck).max() ?? .infinity
        let passed = worst <= barMilliseconds
        print("bar client CPU ≤ \(barMilliseconds) ms/check: \(passed ? "PASS" : "FAIL") (worst \(f(worst, 3)) ms/check)")
        if !failures.isEmpty {
            print("FAILED checks:")
            for (text, count) in failures.sorted(by: { $0.value > $1.value }) { print("  \(count)× \(text)") }
        }
        return failures.isEmpty
    }

    static func f(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    private static func row(_ columns: String...) -> String {
        let widths = [26, 4, 9, 10, 9, 12, 6, 7, 7, 11]
        return zip(columns, widths).enumerated().map { index, pair in
            let (text, width) = pair
            let pad = String(repeating: " ", count: max(0, width - text.count))
            return index == 0 ? text + pad : pad + text
        }.joined(separator: " ")
    }
}
