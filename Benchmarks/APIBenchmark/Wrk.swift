import Foundation

/// One route under load.
struct WrkRoute {
    let name: String
    let path: String
    let method: String
    let body: String?
    /// A dashboard session's cookie (`mailmon_session=…`), for the pages.
    var cookie: String? = nil
    /// Connections for this route instead of the run's (a page a person opens, not a client's burst).
    var connections: Int? = nil
}

/// What wrk printed for one run.
struct WrkResult {
    var requestsPerSecond = 0.0
    var p50Milliseconds = 0.0
    var p99Milliseconds = 0.0
    var requests = 0
    var errors = 0
    var non2xx = 0
}

/// wrk (the Debian package), driven with a generated Lua script that sets method, body and token.
struct Wrk {
    let path: String

    static func locate() -> Wrk? {
        ["/usr/bin/wrk", "/usr/local/bin/wrk"].first { FileManager.default.isExecutableFile(atPath: $0) }.map(Wrk.init)
    }

    func run(_ route: WrkRoute, server: ServerUnderTest, connections: Int, seconds: Int) throws -> WrkResult {
        let script = server.directory + "/wrk-request.lua"
        try Self.script(route, token: server.token).write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [
            "-t2", "-c\(route.connections ?? connections)", "-d\(seconds)s", "--latency", "-s", script, "http://127.0.0.1:\(server.port)\(route.path)",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw BenchError("wrk failed:\n\(text)") }
        // API_BENCH_RAW=1 prints wrk's own report (the whole latency distribution).
        if ProcessInfo.processInfo.environment["API_BENCH_RAW"] != nil { print(text) }
        return Self.parse(text)
    }

    static func script(_ route: WrkRoute, token: String) -> String {
        var lines = [
            "wrk.method = \"\(route.method)\"",
            "wrk.headers[\"Authorization\"] = \"Bearer \(token)\"",
        ]
        if let cookie = route.cookie { lines.append("wrk.headers[\"Cookie\"] = \"\(cookie)\"") }
        if let body = route.body {
            lines.append("wrk.headers[\"Content-Type\"] = \"application/json\"")
            lines.append("wrk.body = [==[\(body)]==]")
        }
        // The finer tail for API_BENCH_RAW=1 (parse ignores these lines).
        lines.append("""
            function done(summary, latency, requests)
              for _, p in ipairs({ 90, 95, 98, 99, 99.5, 99.9 }) do
                io.write(string.format("tail %5.1f%%  %.2fms\\n", p, latency:percentile(p) / 1000))
              end
              io.write(string.format("tail   max   %.2fms\\n", latency.max / 1000))
            end
            """)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads `Requests/sec`, the 50% and 99% lines of `--latency`, the request count,
    /// socket errors and non-2xx answers from wrk's report.
    static func parse(_ text: String) -> WrkResult {
        var result = WrkResult()
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            if line.hasPrefix("Requests/sec:"), let value = words.last.flatMap(Double.init) {
                result.requestsPerSecond = value
            } else if words.first == "50%", words.count == 2 {
                result.p50Milliseconds = milliseconds(words[1])
            } else if words.first == "99%", words.count == 2 {
                result.p99Milliseconds = milliseconds(words[1])
            } else if line.contains("requests in"), let count = words.first.flatMap(Int.init) {
                result.requests = count
            } else if line.hasPrefix("Socket errors:") {
                result.errors = words.compactMap(Int.init).reduce(0, +)
            } else if line.hasPrefix("Non-2xx or 3xx responses:"), let count = words.last.flatMap(Int.init) {
                result.non2xx = count
            }
        }
        return result
    }

    /// wrk prints `812.00us`, `3.45ms`, `1.02s`.
    static func milliseconds(_ text: String) -> Double {
        for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(unit) {
            return (Double(text.dropLast(unit.count)) ?? .nan) * factor
        }
        return .nan
    }
}
