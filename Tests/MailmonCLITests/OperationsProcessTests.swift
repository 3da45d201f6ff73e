import App
import AsyncHTTPClient
import Domain
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// `mailmon run` and `mailmon worker --listen` as Prometheus, a load balancer and a log shipper
/// meet them: the exposition passes `promtool check metrics`, a real Prometheus scrapes it and
/// answers a query for a failure the test caused, `/ready` answers, and the JSON log has a line
/// per incident and alert, every line JSON, none with a secret.
@Suite("Operations: metrics, readiness and logs of running processes")
struct OperationsProcessTests {
    static let mailboxPassword = "Mailbox-Pw-7731"
    static let relayPassword = "Relay-Pw-4410"
    static let metricsToken = "Scrape-Token-9902"

    @Test("run: promtool passes, Prometheus answers a PromQL query for a failed check's category, /ready, JSON logs without secrets")
    func runScrapedByPrometheus() async throws {
        let directory = try MailmonBinary.workspace("mm-ops-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (runtime, admin, customer) = try await MailmonBinary.runtimeWithCustomer(in: directory)
        let refused = try RefusedPort(), relay = try RefusedPort()
        defer { refused.close(); relay.close() }
        let monitor = try await runtime.monitors.create(
            .table(LuaTable(fields: [
                "customerId": .integer(customer.id), "name": "Refused inbox", "hostname": "127.0.0.1", "port": .integer(Int64(refused.port)),
                "checkInterval": 1, "timeoutSeconds": 3, "notificationEmail": "ops@example.com",
                "imapPopConfig": ["protocol": "imap", "user": "alice", "password": .string(Self.mailboxPassword)],
            ])), actor: admin)
        // The hook logs everything it is given, as a careless operator's hook would.
        try """
            local alerting = require "lib/alerting"
            local M = { version = "9.1.0-logs-input" }
            local function dump(value)
              if type(value) ~= "table" then return tostring(value) end
              local parts = {}
              for k, v in pairs(value) do parts[#parts + 1] = tostring(k) .. "=" .. dump(v) end
              return "{" .. table.concat(parts, ",") .. "}"
            end
            function M.decide(input)
              mailmon.log.warning("hook input", dump(input))
              print(dump(input.check))
              return alerting.default_decision(input)
            end
            return M
            """.write(toFile: directory + "/scripts/hooks/post_check.lua", atomically: true, encoding: .utf8)
        try "\(Self.relayPassword)\n".write(toFile: directory + "/relay-password", atomically: true, encoding: .utf8)
        let config = """
            {"worker": {"firstRunSpreadSeconds": 0.01, "pollSeconds": 0.2, "alertRetrySeconds": 1, "alertAttempts": 2},
             "smtp": {"host": "127.0.0.1", "port": \(relay.port), "security": "plain", "from": "mailmon@example.com",
                      "username": "mailmon", "passwordFile": "\(directory)/relay-password", "timeoutSeconds": 2},
             "metrics": {"token": "\(Self.metricsToken)"},
             "log": {"format": "json", "level": "debug"}}
            """
        try config.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        let port = try FreePorts.take(1)[0]
        let notify = try NotifySocket(path: directory + "/notify")
        defer { notify.close() }
        let run = try ChildProcess.spawn(
            try MailmonBinary.path(),
            ["run", "--database", directory + "/mailmon.sqlite", "--scripts", directory + "/scripts", "--config", directory + "/config.json",
             "--port", "\(port)"],
            environment: ["MAILMON_LOG_LEVEL": "debug", "NOTIFY_SOCKET": directory + "/notify"], outputPrefix: directory + "/run")
        #expect(try notify.receive(timeoutSeconds: 30) == "READY=1")
        #expect(FreePorts.accepts(port), "READY=1 comes once the API listens")
        let base = "http://127.0.0.1:\(port)"
        let category = #"mailmon_checks_total{protocol="imap",result="failed",category="connect_refused"}"#
        var exposition = ""
        try await run.waitUntil("a failed check and a failed alert on /metrics") {
            guard FreePorts.accepts(port) else { return false }
            exposition = try await Self.get(base + "/metrics", token: Self.metricsToken).body
            return exposition.contains(category) && exposition.contains(#"mailmon_alerts_total{channel_type="email",result="failed"}"#)
        }
        #expect(try await Self.get(base + "/metrics", token: nil).status == 401)
        #expect(exposition.contains(#"name="Refused inbox""#) && exposition.contains(monitor.publicId.uuidString.lowercased()))
        #expect(exposition.contains("mailmon_http_requests_total{"))
        let promtool = try Self.promtool(exposition, in: directory)
        #expect(promtool.status == 0, "promtool check metrics: \(promtool.output)")

        let ready = try await Self.get(base + "/ready", token: nil)
        #expect(ready.status == 200 && ready.body.contains(#""status":"ready""#), "\(ready)")

        // A real Prometheus scrapes the process and answers PromQL for the category the test caused.
        let prometheus = try Self.startPrometheus(scraping: port, token: Self.metricsToken, in: directory)
        let value = try await Self.query(prometheus, #"sum(mailmon_checks_total{category="connect_refused"})"#, until: { $0 >= 1 })
        #expect(value >= 1)
        let up = try await Self.query(prometheus, #"mailmon_monitor_up{name="Refused inbox"}"#, until: { _ in true })
        #expect(up == 0)
        prometheus.process.send(SIGTERM)
        _ = try prometheus.process.waitForExit()

        // An acknowledgement over the API is a log line too.
        let (member, _) = try await AccessTokens.create(in: runtime.database, role: .member)
        let incidents = try await HTTPCall(base: base, token: member)(.GET, "/api/incidents?status=active")
        let incidentId = try #require((incidents.body["items"] as? [[String: Any]])?.first?["publicId"] as? String, "\(incidents.body)")
        #expect(try await HTTPCall(base: base, token: member)(.POST, "/api/incidents/\(incidentId)/acknowledge").status == 200)

        run.send(SIGTERM)
        #expect(try run.waitForExit() == 0)
        let log = (try? String(contentsOfFile: directory + "/run.err", encoding: .utf8)) ?? ""
        let lines = log.split(separator: "\n").map(String.init)
        var messages: [[String: Any]] = []
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON line: \(line)")
            if let object { messages.append(object) }
        }
        func logged(_ message: String) -> [[String: Any]] { messages.filter { $0["message"] as? String == message } }
        let opened = try #require(logged("incident opened").first, "no 'incident opened' line in:\n\(log)")
        #expect(opened["monitor"] as? String == monitor.publicId.lowercasedString && opened["category"] as? String == "connect_refused")
        #expect(opened["level"] as? String == "info" && opened["customerId"] as? String == "\(customer.id)")
        #expect(!logged("alert failed").isEmpty)
        #expect(logged("incident acknowledged").contains { $0["monitor"] as? String == monitor.publicId.lowercasedString && $0["by"] is String })
        #expect(logged("check").contains { $0["level"] as? String == "debug" && $0["category"] as? String == "connect_refused" })
        #expect(!logged("mailmon started").isEmpty && !logged("mailmon stopped").isEmpty)
        let hookLines = messages.filter { ($0["message"] as? String)?.hasPrefix("hook input {") == true }
        #expect(!hookLines.isEmpty, "the hook's own log line is there")
        // The hook holds only a sealed handle (EngineTests show it), and the log cuts even that.
        #expect(hookLines.contains { ($0["message"] as? String)?.contains("password=[redacted]") == true }, "\(hookLines)")
        for secret in [Self.mailboxPassword, Self.relayPassword, Self.metricsToken] {
            #expect(!log.contains(secret), "\(secret) appears in the log")
            let stdout = (try? String(contentsOfFile: directory + "/run.out", encoding: .utf8)) ?? ""
            #expect(!stdout.contains(secret))
        }
    }

    @Test("worker --listen: /health, /ready and /metrics beside the worker, which serves no API")
    func workerListens() async throws {
        let directory = try MailmonBinary.workspace("mm-ops-worker-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await MailmonBinary.runtimeWithCustomer(in: directory)
        let port = try FreePorts.take(1)[0]
        let notify = try NotifySocket(path: directory + "/notify")
        defer { notify.close() }
        let worker = try ChildProcess.spawn(
            try MailmonBinary.path(),
            ["worker", "--database", directory + "/mailmon.sqlite", "--scripts", directory + "/scripts", "--listen", "127.0.0.1:\(port)"],
            environment: ["NOTIFY_SOCKET": directory + "/notify"], outputPrefix: directory + "/worker")
        #expect(try notify.receive(timeoutSeconds: 30) == "READY=1", "systemd's Type=notify hears that the worker is ready")
        try await worker.waitUntil("the worker's listener") { FreePorts.accepts(port) }
        let base = "http://127.0.0.1:\(port)"
        #expect(try await Self.get(base + "/health", token: nil).status == 200)
        let ready = try await Self.get(base + "/ready", token: nil)
        #expect(ready.status == 200, "\(ready)")
        let metrics = try await Self.get(base + "/metrics", token: nil)
        #expect(metrics.status == 200 && metrics.body.contains("mailmon_script_set_generation 1"))
        #expect(try await Self.get(base + "/api/customers", token: nil).status == 404, "the worker serves no API")
        worker.send(SIGTERM)
        #expect(try worker.waitForExit() == 0)
    }

    // MARK: Peers

    /// The datagram socket systemd listens on for `Type=notify` services.
    final class NotifySocket {
        let descriptor: Int32

        init(path: String) throws {
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard descriptor >= 0, bound == 0 else { throw TestSupportError("cannot bind \(path): \(errno)") }
        }

        func receive(timeoutSeconds: Int) throws -> String {
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { throw TestSupportError("no notification within \(timeoutSeconds) s (errno \(errno))") }
            return String(decoding: buffer[..<count], as: UTF8.self)
        }

        func close() { Glibc.close(descriptor) }
    }

    static func get(_ url: String, token: String?) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 8 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Debian's `prometheus` package: `make test` installs it; a missing one fails the test.
    static func tool(_ name: String) throws -> String {
        let path = "/usr/bin/\(name)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSupportError("\(path) is missing: install Debian's prometheus package (make test does)")
        }
        return path
    }

    static func promtool(_ exposition: String, in directory: String) throws -> (status: Int32, output: String) {
        let input = directory + "/exposition.txt"
        try exposition.write(toFile: input, atomically: true, encoding: .utf8)
        let process = try ChildProcess.spawn(
            "/bin/sh", ["-c", "\(try tool("promtool")) check metrics < \(input)"], outputPrefix: directory + "/promtool")
        let status = try process.waitForExit()
        return (status, process.output)
    }

    struct Prometheus {
        let process: ChildProcess
        let base: String
    }

    static func startPrometheus(scraping port: Int, token: String, in directory: String) throws -> Prometheus {
        let listen = try FreePorts.take(1)[0]
        try FileManager.default.createDirectory(atPath: directory + "/prometheus", withIntermediateDirectories: true)
        try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: mailmon
                authorization:
                  credentials: \(token)
                static_configs:
                  - targets: ['127.0.0.1:\(port)']
            """.write(toFile: directory + "/prometheus/prometheus.yml", atomically: true, encoding: .utf8)
        let process = try ChildProcess.spawn(
            try tool("prometheus"),
            ["--config.file=\(directory)/prometheus/prometheus.yml", "--storage.tsdb.path=\(directory)/prometheus/data",
             "--web.listen-address=127.0.0.1:\(listen)"],
            outputPrefix: directory + "/prometheus/prometheus")
        return Prometheus(process: process, base: "http://127.0.0.1:\(listen)")
    }

    /// Polls an instant query until it has a sample that `accept`s; the sample's value.
    static func query(_ prometheus: Prometheus, _ promql: String, until accept: (Double) -> Bool) async throws -> Double {
        var found: Double?
        var last = ""
        try await prometheus.process.waitUntil("Prometheus to answer \(promql)", timeout: .seconds(60)) {
            let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
            guard let answer = try? await get(prometheus.base + "/api/v1/query?query=\(encoded)", token: nil) else { return false }
            last = answer.body
            guard let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
                let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
                let sample = result.first?["value"] as? [Any], let text = sample.last as? String, let value = Double(text),
                accept(value)
            else { return false }
            found = value
            return true
        }
        return try #require(found, "last answer: \(last)")
    }
}
