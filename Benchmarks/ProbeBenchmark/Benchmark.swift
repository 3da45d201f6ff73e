import Foundation
import MailProbe
import MailmonTestSupport

/// The IMAPS server under test: the one this run started, or one given on the command line.
struct BenchServer {
    let port: Int
    let caFile: String
    /// Dovecot's master (its process group leader), for its CPU; nil if unknown.
    let dovecotPID: pid_t?
}

/// Warm-up, the measured runs, the floor, the Python baseline, the table; true if every check passed.
nonisolated func runBenchmark(_ options: Options, server: BenchServer) async throws -> Bool {
    let caFile = options.verify ? server.caFile : nil
    let transport = try ProbeTransport(additionalTrustRootsFile: caFile)
    let user = "alice"
    let password = DovecotServer.users[user]!
    let target = ProbeTarget(
        mailProtocol: .imap, host: "127.0.0.1", port: server.port,
        session: SessionConfiguration(security: .implicitTLS, user: user, password: password, mailbox: "INBOX", readOnly: false),
        verifyCertificate: options.verify, timeout: .seconds(30))
    let runner = ProbeRun(probe: ImapProbe(transport: transport), target: target, expectedMessages: DovecotServer.messagesPerUser)

    let first = await ImapProbe(transport: transport).check(target)
    guard first.ok else { throw BenchmarkError("first check failed: \(first.category?.rawValue ?? "?"): \(first.message ?? "")") }
    Report.preamble(options, server: server, first: first, user: user)

    if options.warmup > 0 {
        let warm = await runner.run(checks: options.warmup, concurrency: 8)
        guard warm.failed == 0 else { throw BenchmarkError("warm-up failed: \(warm.failures)") }
    }

    let group = server.dovecotPID
    var measurements: [Measurement] = []
    var failures: [String: Int] = [:]
    for concurrency in options.concurrencies where options.probes {
        let checks = options.checks(atConcurrency: concurrency)
        let start = CPUSnapshot.take(dovecotGroup: group)
        let outcome = await runner.run(checks: checks, concurrency: concurrency)
        let end = CPUSnapshot.take(dovecotGroup: group)
        measurements.append(
            Measurement(
                client: "mailmon ImapProbe", concurrency: concurrency, checks: checks, ok: outcome.ok, from: start, to: end,
                latencies: outcome.latencies))
        failures.merge(outcome.failures, uniquingKeysWith: +)
    }

    var floor: Measurement?
    if options.floor {
        let handshakes = try HandshakeFloor(port: server.port, caFile: caFile, verify: options.verify)
        let concurrency = options.concurrencies.max() ?? 1
        let start = CPUSnapshot.take(dovecotGroup: group)
        let floorFailures = await handshakes.run(connections: options.checks, concurrency: concurrency)
        let end = CPUSnapshot.take(dovecotGroup: group)
        let ok = options.checks - floorFailures.values.reduce(0, +)
        floor = Measurement(
            client: "floor: TCP+TLS, no IMAP", concurrency: concurrency, checks: options.checks, ok: ok, from: start, to: end,
            latencies: [])
        failures.merge(floorFailures, uniquingKeysWith: +)
    }

    var python: Measurement?
    if options.python {
        let baseline = PythonBaseline(script: options.pythonScript, port: server.port, user: user, password: password, caFile: caFile)
        let warmup = min(options.warmup, 50)
        let start = CPUSnapshot.take(dovecotGroup: group)
        let result = Result { try baseline.run(checks: options.checks, threads: options.pythonThreads, warmup: warmup) }
        let end = CPUSnapshot.take(dovecotGroup: group)
        switch result {
        case .success(let figures):
            python = Measurement(python: figures, checks: options.checks, threads: options.pythonThreads, warmup: warmup, from: start, to: end)
            for (text, count) in figures.error_samples { failures["python: \(text)", default: 0] += count }
            if figures.errors > 0, figures.error_samples.isEmpty { failures["python: errors", default: 0] += figures.errors }
        case .failure(let error):
            failures["python baseline did not run: \(error)", default: 0] += 1
        }
    }

    print("")
    Report.header()
    measurements.forEach(Report.line)
    if let floor { Report.line(floor) }
    if let python { Report.line(python) }
    print("")
    return Report.verdict(measurements, floor: floor, python: python, failures: failures)
}
