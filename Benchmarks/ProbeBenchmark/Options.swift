import Foundation

/// What to run, from flags first, then environment variables, then defaults sized so the
/// whole benchmark takes well under two minutes on a 2-core machine.
struct Options {
    /// Checks at concurrency 1.
    var serialChecks = 400
    /// Checks at each higher concurrency, and for Python.
    var checks = 2_000
    var concurrencies = [1, 64]
    var warmup = 100
    var pythonThreads = 16
    /// Both sides verify the chain against the test CA (beside the system roots) and the IP SAN.
    var verify = true
    var python = true
    /// Also time connect + TLS handshake + close alone (the part no IMAP code can remove).
    var floor = true
    /// Skip the probe runs (`--floor-only`, for profiling the floor alone).
    var probes = true
    var pythonScript = Options.defaultScript
    /// Only start the Dovecot, print its IMAPS port and CA file, and keep it up this many seconds
    /// (for profiling other clients against the same server).
    var serveSeconds: Int?
    /// A server started elsewhere (`--serve`), so profilers see only the client.
    var external: BenchServer?

    static let usage = """
        usage: ProbeBenchmark [--checks N] [--serial-checks N] [--concurrency 1,64] [--warmup N]
                              [--python-threads N] [--insecure] [--no-python] [--no-floor] [--floor-only] [--script PATH]
                              [--serve SECONDS] [--port N --ca-file PEM [--dovecot-pid N]]
        environment: PROBE_BENCH_CHECKS, PROBE_BENCH_SERIAL_CHECKS, PROBE_BENCH_WARMUP
        """

    /// `tools/imaplib_bench.py`, found from this file so `swift run` works from any directory.
    static var defaultScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/imaplib_bench.py").path
    }

    static func parse(_ arguments: [String], environment: [String: String]) throws -> Options {
        var options = Options()
        if let value = environment["PROBE_BENCH_CHECKS"] { options.checks = try positive(value, "PROBE_BENCH_CHECKS") }
        if let value = environment["PROBE_BENCH_SERIAL_CHECKS"] {
            options.serialChecks = try positive(value, "PROBE_BENCH_SERIAL_CHECKS")
        }
        if let value = environment["PROBE_BENCH_WARMUP"] { options.warmup = try count(value, "PROBE_BENCH_WARMUP") }
        var port: Int?
        var caFile: String?
        var dovecotPID: pid_t?
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            return next
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--checks": options.checks = try positive(value(flag), flag)
            case "--serial-checks": options.serialChecks = try positive(value(flag), flag)
            case "--warmup": options.warmup = try count(value(flag), flag)
            case "--python-threads": options.pythonThreads = try positive(value(flag), flag)
            case "--concurrency":
                options.concurrencies = try value(flag).split(separator: ",").map { try positive(String($0), flag) }
            case "--insecure": options.verify = false
            case "--no-python": options.python = false
            case "--no-floor": options.floor = false
            case "--floor-only": options.probes = false
            case "--script": options.pythonScript = try value(flag)
            case "--serve": options.serveSeconds = try positive(value(flag), flag)
            case "--port": port = try positive(value(flag), flag)
            case "--ca-file": caFile = try value(flag)
            case "--dovecot-pid": dovecotPID = pid_t(try positive(value(flag), flag))
            case "-h", "--help": throw UsageError(nil)
            default: throw UsageError("unknown argument \(flag)")
            }
        }
        if let port, let caFile {
            options.external = BenchServer(port: port, caFile: caFile, dovecotPID: dovecotPID)
        } else if port != nil || caFile != nil {
            throw UsageError("--port and --ca-file go together")
        }
        return options
    }

    /// Checks to run at a given concurrency.
    func checks(atConcurrency concurrency: Int) -> Int { concurrency == 1 ? serialChecks : checks }

    private static func positive(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text), value > 0 else { throw UsageError("\(name): expected a positive integer, got \(text)") }
        return value
    }

    private static func count(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text), value >= 0 else { throw UsageError("\(name): expected an integer ≥ 0, got \(text)") }
        return value
    }
}

struct UsageError: Error {
    let message: String?
    init(_ message: String?) { self.message = message }
}
