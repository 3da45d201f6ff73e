import Foundation
import MailProbe
import MailmonTestSupport

let barMilliseconds = 0.5

/// The IMAPS server under test: the one this run started, or one given on the command line.
struct BenchServer {
    let port: Int
    let caFile: String
    /// Dovecot's master (its process group leader), for its CPU; nil if unknown.
    let dovecotPID: pid_t?
}

/// Warm-up, the measured runs, the Python baseline, the table; true if the bar is met and every check passed.
nonisolated func runBenchmark(_ options: Options, server: BenchServer) async throws -> Bool {
    let caFile = server.caFile
    let transport = try ProbeTransport(additionalTrustRootsFile: options.verify ? caFile : nil)
    let user = "alice"
    let password = DovecotServer.users[user]!
    let target = ProbeTarget(
        mailProtocol: .imap, host: "127.0.0.1", port: server.port,
        session: SessionConfiguration(security: .implicitTLS, user: user, password: password, mailbox: "INBOX", readOnly: false),
        verifyCertificate: options.verify, timeout: .seconds(30))
    let runner = ProbeRun(probe: ImapProbe(transport: transport), target: target, expectedMessages: DovecotServer.messagesPerUser)

    let first = await ImapProbe(transport: transport).check(target)
    guard first.ok else { throw BenchmarkError("first check failed: \(first.category?.rawValue ?? "?"): \(first.message ?? "")") }
    print("IMAPS LOGIN + SELECT INBOX + LOGOUT as \(user), 127.0.0.1:\(server.port), \(dovecotVersion())")
    print("server: \(first.tlsVersion ?? "?"), certificate \(first.certificate?.subject ?? "?") issued by \(first.certificate?.issuer ?? "?")")
    print(
        options.verify
            ? "verification: ON on both sides: chain against the system roots + the test CA, IP literal (no SNI) against the IP SAN"
            : "verification: OFF on both sides (--insecure)")
    let group = server.dovecotPID
    if group == nil { print("Dovecot CPU: not measured (no master pid)") }
    print(
        "client CPU = getrusage(RUSAGE_SELF) user+sys of the client process over the window; Dovecot CPU ≈ utime+stime+cutime+cstime",
        "of Dovecot's process group from /proc (session processes come and go: approximate, 10 ms ticks)")

    if options.warmup > 0 {
        let warm = await runner.run(checks: options.warmup, concurrency: 8)
        guard warm.failed == 0 else { throw BenchmarkError("warm-up failed: \(warm.failures)") }
    }

    var measurements: [Measurement] = []
    var failures: [String: Int] = [:]
    for concurrency in options.concurrencies {
        let checks = options.checks(atConcurrency: concurrency)
        let start = CPUSnapshot.take(dovecotGroup: group)
        var outcome = await runner.run(checks: checks, concurrency: concurrency)
        let end = CPUSnapshot.take(dovecotGroup: group)
        outcome.latencies.sort()
        measurements.append(
            Measurement(
                client: "mailmon ImapProbe", concurrency: concurrency, checks: checks, ok: outcome.ok, from: start, to: end,
                p50: Measurement.percentile(outcome.latencies, 0.5), p95: Measurement.percentile(outcome.latencies, 0.95)))
        failures.merge(outcome.failures, uniquingKeysWith: +)
    }

    var python: Measurement?
    if options.python {
        let baseline = PythonBaseline(
            script: options.pythonScript, port: server.port, user: user, password: password,
            caFile: options.verify ? caFile : nil)
        let pythonWarmup = min(options.warmup, 50)
        let start = CPUSnapshot.take(dovecotGroup: group)
        let figures = try baseline.run(checks: options.checks, threads: options.pythonThreads, warmup: pythonWarmup)
        let end = CPUSnapshot.take(dovecotGroup: group)
        let measurement = Measurement(
            client: "Python \(figures.python) imaplib", concurrency: options.pythonThreads, checks: options.checks, ok: figures.ok,
            from: start, to: end, clientCPUSeconds: (figures.cpu_ms_per_check ?? 0) * Double(figures.ok) / 1000,
            wallSeconds: figures.elapsed_s, dovecotChecks: figures.ok + pythonWarmup,
            p50: figures.latency_ms.p50, p95: figures.latency_ms.p95)
        python = measurement
        for (text, count) in figures.error_samples { failures["python: \(text)", default: 0] += count }
        if figures.errors > 0, figures.error_samples.isEmpty { failures["python: errors", default: 0] += figures.errors }
    }

    print("")
    Report.header()
    measurements.forEach(Report.line)
    if let python { Report.line(python) }
    print("(Python: checks/s and CPU from the script's own wall clock and os.times(); Dovecot CPU for it includes its",
          "\(min(options.warmup, 50)) warm-up checks, scaled; busy cores includes interpreter start.)")
    print("")
    return verdict(measurements, python: python, failures: failures)
}

nonisolated func verdict(_ measurements: [Measurement], python: Measurement?, failures: [String: Int]) -> Bool {
    if let python {
        for m in measurements {
            print(
                "client CPU/check, imaplib (\(python.concurrency) threads) ÷ mailmon (concurrency \(m.concurrency)):",
                Report.f(python.clientMillisecondsPerCheck / m.clientMillisecondsPerCheck, 1) + "×;",
                "throughput mailmon ÷ imaplib:", Report.f(m.checksPerSecond / python.checksPerSecond, 2) + "×")
        }
    }
    if let busiest = measurements.max(by: { $0.concurrency < $1.concurrency }) {
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        var line = "where the time goes at concurrency \(busiest.concurrency): \(Report.f(busiest.busyCores, 2)) of "
            + "\(Int(cores)) cores busy; mailmon \(Report.f(busiest.clientMillisecondsPerCheck, 3)) ms/check"
        if let dovecot = busiest.dovecotMillisecondsPerCheck {
            let share = busiest.clientCPUSeconds / busiest.machineBusySeconds * 100
            line += ", Dovecot ≈ \(Report.f(dovecot, 2)) ms/check; mailmon's share of the busy CPU: \(Report.f(share, 1))%"
        }
        print(line)
        print(
            "mailmon alone could drive ≈ \(Report.f(1000 / busiest.clientMillisecondsPerCheck, 0)) checks/s per core;",
            "measured \(Report.f(busiest.checksPerSecond, 0)) checks/s: the limit is the server side (Dovecot + kernel), not mailmon")
    }
    let worst = measurements.map(\.clientMillisecondsPerCheck).max() ?? .infinity
    let passed = worst <= barMilliseconds
    print("bar client CPU ≤ \(barMilliseconds) ms/check: \(passed ? "PASS" : "FAIL") (worst \(Report.f(worst, 3)) ms/check)")
    if !failures.isEmpty {
        print("FAILED checks:")
        for (text, count) in failures.sorted(by: { $0.value > $1.value }) { print("  \(count)× \(text)") }
    }
    return passed && failures.isEmpty
}

