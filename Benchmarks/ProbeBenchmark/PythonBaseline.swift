import Foundation

/// `tools/imaplib_bench.py` against the same server, in a child process; it measures
/// its own CPU (os.times) and wall time and prints them as the first JSON line.
struct PythonBaseline {
    struct Figures: Decodable {
        let ok: Int
        let errors: Int
        let elapsed_s: Double
        let checks_per_s: Double?
        let cpu_ms_per_check: Double?
        let cpu_user_s: Double
        let cpu_sys_s: Double
        let latency_ms: Latency
        let error_samples: [String: Int]
        let python: String
        let openssl: String

        struct Latency: Decodable { let p50: Double?, p95: Double? }
    }

    let script: String
    let port: Int
    let user: String
    let password: String
    /// nil: verification off.
    let caFile: String?

    func run(checks: Int, threads: Int, warmup: Int) throws -> Figures {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = [
            "python3", script, "--host", "127.0.0.1", "--port", "\(port)", "--user", user,
            "--threads", "\(threads)", "--count", "\(checks)", "--warmup", "\(warmup)",
        ]
        if let caFile { arguments += ["--cafile", caFile] }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["IMAP_BENCH_PASSWORD"] = password
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard let json = lines.first(where: { $0.hasPrefix("{") }) else {
            throw BenchmarkError("imaplib_bench.py printed no JSON (exit \(process.terminationStatus)): \(lines.joined(separator: " | "))")
        }
        return try JSONDecoder().decode(Figures.self, from: Data(json.utf8))
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Measurement {
    /// The script's own wall time and CPU; Dovecot's CPU over the window, scaled to exclude the warm-up checks.
    init(python figures: PythonBaseline.Figures, checks: Int, threads: Int, warmup: Int, from start: CPUSnapshot, to end: CPUSnapshot) {
        self.init(
            client: "Python \(figures.python) imaplib", concurrency: threads, checks: checks, ok: figures.ok,
            wallSeconds: figures.elapsed_s, clientUserSeconds: figures.cpu_user_s, clientSysSeconds: figures.cpu_sys_s,
            dovecotCPUSeconds: (end.dovecot - start.dovecot) * Double(figures.ok) / Double(max(figures.ok + warmup, 1)),
            windowSeconds: Measurement.seconds(end.wall - start.wall), machineBusySeconds: end.machine - start.machine,
            p50: figures.latency_ms.p50, p95: figures.latency_ms.p95)
    }
}
