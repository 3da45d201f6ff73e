import App
import API
import Dashboard
import Engine
import Foundation
import Hummingbird
import LuaHost
import Logging
import SQLiteStore
import Domain

/// The API as `mailmon serve` builds it, in this process on a loopback port, on a fresh
/// database in a temporary directory, with an admin token and one customer.
struct ServerUnderTest: Sendable {
    let port: Int
    let token: String
    let runtime: MailmonRuntime
    let directory: String
    let admin: Principal
    let customerId: Int64

    static let createBody = """
        {"customerId": 1, "name": "Mailbox Access", "hostname": "mail.example.com", "port": 993, "status": "active",
         "checkInterval": 30, "timeoutSeconds": 30,
         "imapPopConfig": {"protocol": "imap", "user": "monitor@example.com", "password": "password", "tls": true}}
        """

    static func start(scriptsDirectory: String) async throws -> ServerUnderTest {
        let directory = NSTemporaryDirectory() + "mm-api-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        var logger = Logger(label: "mailmon")
        logger.logLevel = .warning
        // API_BENCH_WRITE_CONCURRENCY: `serve --write-concurrency` (24).
        let writes = ProcessInfo.processInfo.environment["API_BENCH_WRITE_CONCURRENCY"].flatMap(Int.init) ?? WriteAdmission.defaultPermits
        let runtime = try await MailmonRuntime.open(
            databasePath: directory + "/mailmon.sqlite", scriptsDirectory: scriptsDirectory, logger: logger, writeConcurrency: writes)
        guard let token = try await AccessTokens.bootstrap(runtime.database) else { throw BenchError("no bootstrap token") }
        guard let admin = try await runtime.database.principal(tokenHash: AccessTokens.hash(token)) else { throw BenchError("no admin") }
        let customer = try await runtime.customers.create(["name": "Example Customer"], actor: admin)
        var dependencies = APIDependencies(runtime: runtime)
        // API_BENCH_TOKEN_CACHE=0: every request looks its token up in the database (for comparison).
        if ProcessInfo.processInfo.environment["API_BENCH_TOKEN_CACHE"] == "0" {
            dependencies.principals = PrincipalCache(access: runtime.database, lifetime: .zero)
        }
        let ready = AsyncStream<Int>.makeStream()
        let dashboard = try Dashboard(runtime: runtime, api: dependencies)
        let application = Application(
            router: buildRouter(dependencies, pages: dashboard.add),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "mailmon"),
            onServerRunning: { channel in ready.continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        Task { try await application.runService(gracefulShutdownSignals: []) }
        Task { try await runtime.walCheckpointer().run() }  // as `mailmon serve` runs it
        var iterator = ready.stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw BenchError("the server did not start") }
        return ServerUnderTest(port: port, token: token, runtime: runtime, directory: directory, admin: admin, customerId: customer.id)
    }

    /// Creates `count` monitors through the service (policy and all); seconds taken.
    func seed(monitors count: Int) async throws -> Double {
        let start = ContinuousClock.now
        for index in 0..<count {
            _ = try await runtime.monitors.create(.table(LuaTable(fields: [
                "customerId": .integer(customerId), "name": .string("Mailbox \(index)"), "hostname": .string("mx\(index).example.com"),
                "imapPopConfig": ["protocol": "imap", "user": "monitor@example.com", "password": "password", "tls": true],
            ])), actor: admin)
        }
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// A customer with `count` monitors and a status page at `/status/<slug>`.
    func seedStatusPage(slug: String, monitors count: Int) async throws {
        let customer = try await runtime.customers.create(
            ["name": "Status Customer", "statusPage": ["enabled": true, "slug": .string(slug)]], actor: admin)
        for index in 0..<count {
            _ = try await runtime.monitors.create(.table(LuaTable(fields: [
                "customerId": .integer(customer.id), "name": .string("Status mailbox \(index)"), "hostname": .string("status\(index).example.com"),
                "imapPopConfig": ["protocol": "imap", "user": "monitor@example.com", "password": "password", "tls": true],
            ])), actor: admin)
        }
    }

    /// Signs in to the dashboard as a browser does (curl, POST /login) and returns the session cookie.
    func dashboardCookie() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = [
            "-s", "-i", "-X", "POST", "-H", "Origin: http://127.0.0.1:\(port)", "--data-urlencode", "token=\(token)",
            "http://127.0.0.1:\(port)/login",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let line = text.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("set-cookie: mailmon_session=") }) else {
            throw BenchError("the dashboard sign-in set no cookie:\n\(text)")
        }
        return String(line.dropFirst("set-cookie: ".count).prefix { $0 != ";" })
    }

    func monitorCount() async throws -> Int {
        try await runtime.monitors.list(.init(organizationId: nil, customer: nil, search: nil, page: 1, perPage: 1), actor: admin).total
    }

    /// API_BENCH_KEEP=1 keeps the database for a look with sqlite3.
    func removeFiles() {
        guard ProcessInfo.processInfo.environment["API_BENCH_KEEP"] == nil else { return }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
