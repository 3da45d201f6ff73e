import API
import App
import Dashboard
import ArgumentParser
import Engine
import Foundation
import Hummingbird
import ServiceLifecycle
import UnixSignals
import Logging
import LuaHost
import Notifiers

/// Options shared by `serve`, `worker` and `run`: flags win over MAILMON_* variables,
/// which win over the config file.
struct ServerOptions: ParsableArguments {
    @Option(help: "JSON config file (env MAILMON_CONFIG).") var config: String?
    @Option(help: "Address to listen on (env MAILMON_HOSTNAME).") var hostname: String?
    @Option(help: "Port to listen on (env MAILMON_PORT).") var port: Int?
    @Option(help: "SQLite database file (env MAILMON_DATABASE).") var database: String?
    @Option(help: "Script directory (env MAILMON_SCRIPTS).") var scripts: String?
    @Option(help: "API writes at work at once; the rest wait in arrival order (env MAILMON_WRITE_CONCURRENCY, default 24).")
    var writeConcurrency: Int?
    @Option(help: "Open connections at most (env MAILMON_MAX_CONNECTIONS; default: the open-file limit less 128, at most 4096).")
    var maxConnections: Int?
    @Option(help: "Log format: text or json (env MAILMON_LOG_FORMAT, default text).") var logFormat: LogFormat?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env MAILMON_LOG_LEVEL, default info).")
    var logLevel: String?
    @Option(help: "Per-monitor series on /metrics: true or false (env MAILMON_METRICS_PER_MONITOR, default true).")
    var metricsPerMonitor: Bool?
    @Option(help: "The key file that seals secrets at rest (env MAILMON_SECRET_KEY_FILE; default: beside the database, .key).")
    var secretKeyFile: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }
    func file() throws -> MailmonConfiguration { try MailmonConfiguration.load(config ?? environment["MAILMON_CONFIG"]) }
    func resolvedHostname(_ file: MailmonConfiguration) -> String {
        hostname ?? environment["MAILMON_HOSTNAME"] ?? file.server?.hostname ?? "127.0.0.1"
    }
    /// The port from the flag, MAILMON_PORT, the file or 8080; a value that is not a port
    /// stops the process with a message instead of serving elsewhere.
    func resolvedPort(_ file: MailmonConfiguration) throws -> Int {
        try integer(port, "MAILMON_PORT", file.server?.port, default: 8080, range: 1...65535, name: "port")
    }
    func resolvedDatabase(_ file: MailmonConfiguration) -> String {
        database ?? environment["MAILMON_DATABASE"] ?? file.database ?? "data/mailmon.sqlite"
    }
    func resolvedScripts(_ file: MailmonConfiguration) -> String {
        scripts ?? environment["MAILMON_SCRIPTS"] ?? file.scripts ?? InstalledScripts.defaultDirectory
    }
    func resolvedWriteConcurrency(_ file: MailmonConfiguration) throws -> Int {
        try integer(
            writeConcurrency, "MAILMON_WRITE_CONCURRENCY", file.server?.writeConcurrency, default: WriteAdmission.defaultPermits,
            range: 1...4096, name: "write concurrency")
    }

    /// The HTTP server's connection limits; the default connection limit follows the open-file limit.
    func resolvedLimits(_ file: MailmonConfiguration, openFiles: Int?) throws -> HTTPServerLimits {
        let defaults = HTTPServerLimits()
        return HTTPServerLimits(
            requestHeadTimeoutSeconds: try integer(
                nil, "MAILMON_REQUEST_HEAD_TIMEOUT", file.server?.requestHeadTimeoutSeconds, default: defaults.requestHeadTimeoutSeconds,
                range: 1...3600, name: "request head timeout"),
            idleTimeoutSeconds: try integer(
                nil, "MAILMON_IDLE_TIMEOUT", file.server?.idleTimeoutSeconds, default: defaults.idleTimeoutSeconds, range: 1...86_400,
                name: "idle timeout"),
            maxConnections: try integer(
                maxConnections, "MAILMON_MAX_CONNECTIONS", file.server?.maxConnections,
                default: openFiles.map(HTTPServerLimits.defaultMaxConnections(openFiles:)) ?? defaults.maxConnections, range: 1...1_000_000,
                name: "max connections"))
    }

    /// An integer setting: the flag, else the variable (which must be an integer), else the
    /// file, else the default. A value outside `range`, from any source, is an error.
    func integer(
        _ flag: Int?, _ variable: String, _ fromFile: Int?, default fallback: Int, range: ClosedRange<Int>, name: String
    ) throws -> Int {
        let value: Int
        if let flag {
            value = flag
        } else if let text = environment[variable] {
            guard let parsed = Int(text) else { throw ConfigurationError("\(variable) must be an integer, not \(text)") }
            value = parsed
        } else {
            value = fromFile ?? fallback
        }
        guard range.contains(value) else { throw ConfigurationError("\(name) must be \(range.lowerBound)-\(range.upperBound), not \(value)") }
        return value
    }

    func resolvedLogFormat(_ file: MailmonConfiguration) throws -> LogFormat {
        if let logFormat { return logFormat }
        if let text = environment["MAILMON_LOG_FORMAT"] {
            guard let format = LogFormat(rawValue: text) else { throw ConfigurationError("MAILMON_LOG_FORMAT must be text or json, not \(text)") }
            return format
        }
        return file.log?.format ?? .text
    }

    func resolvedLogLevel(_ file: MailmonConfiguration) throws -> Logger.Level {
        guard let text = logLevel ?? environment["MAILMON_LOG_LEVEL"] ?? file.log?.level else { return .info }
        guard let level = Logger.Level(rawValue: text) else {
            throw ConfigurationError(
                "the log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \(text)")
        }
        return level
    }

    func resolvedMetricsPerMonitor(_ file: MailmonConfiguration) throws -> Bool {
        if let metricsPerMonitor { return metricsPerMonitor }
        if let text = environment["MAILMON_METRICS_PER_MONITOR"] {
            guard let value = Bool(text) else { throw ConfigurationError("MAILMON_METRICS_PER_MONITOR must be true or false, not \(text)") }
            return value
        }
        return file.metrics?.perMonitor ?? true
    }

    func resolvedMetricsToken(_ file: MailmonConfiguration) throws -> String? {
        let token = try SecretSetting.resolve(
            variable: "MAILMON_METRICS_TOKEN", environment: environment, fileKey: file.metrics?.tokenFile, value: file.metrics?.token)
        if let token, token.isEmpty { throw ConfigurationError("the metrics token is empty: set one, or leave it out for an open /metrics") }
        return token
    }

    /// The relay with its password from MAILMON_SMTP_PASSWORD, MAILMON_SMTP_PASSWORD_FILE,
    /// `smtp.passwordFile` or `smtp.password`, in that order.
    func resolvedSmtp(_ file: MailmonConfiguration) throws -> SmtpRelay? {
        guard var relay = file.smtp?.relay else { return nil }
        relay.password = try SecretSetting.resolve(
            variable: "MAILMON_SMTP_PASSWORD", environment: environment, fileKey: file.smtp?.passwordFile, value: relay.password)
        return relay
    }

    func resolvedWorkerSettings(_ file: MailmonConfiguration) -> WorkerSettings { file.worker ?? WorkerSettings() }

    /// The SMS gateway with the headers of MAILMON_SMS_HEADERS_FILE or `sms.headersFile` (a JSON object) over its own.
    func resolvedSms(_ file: MailmonConfiguration) throws -> SmsGateway? {
        guard var gateway = file.sms?.gateway else { return nil }
        guard let path = environment["MAILMON_SMS_HEADERS_FILE"] ?? file.sms?.headersFile else { return gateway }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read the SMS headers file \(path)")
        }
        guard let headers = try? JSONDecoder().decode([String: String].self, from: data) else {
            throw ConfigurationError("the SMS headers file \(path) must hold a JSON object of strings")
        }
        gateway.headers.merge(headers) { _, fromFile in fromFile }
        // The file's headers carry the gateway's key: no log line shows them.
        headers.values.forEach(KnownSecrets.shared.register)
        return gateway
    }

    /// The key file (MAILMON_SECRET_KEY, when set, takes the place of any file).
    func resolvedSecretKeyFile(_ file: MailmonConfiguration) -> String {
        secretKeyFile ?? environment["MAILMON_SECRET_KEY_FILE"] ?? file.secretKeyFile
            ?? MailmonRuntime.defaultSecretKeyFile(databasePath: resolvedDatabase(file))
    }

    /// Opens the runtime (database, scripts), prints the bootstrap token on an empty database, installs SIGHUP.
    func openRuntime(_ file: MailmonConfiguration, logger: Logger) async throws -> MailmonRuntime {
        let runtime = try await MailmonRuntime.open(
            databasePath: resolvedDatabase(file), scriptsDirectory: resolvedScripts(file), logger: logger,
            additionalTrustRootsFile: file.trustedCAFile, writeConcurrency: try resolvedWriteConcurrency(file),
            metricsRegistry: ProcessMetrics.registry, perMonitorMetrics: try resolvedMetricsPerMonitor(file),
            secretKeyFile: resolvedSecretKeyFile(file))
        if let token = try await AccessTokens.bootstrap(runtime.database) {
            print("Created the default organization and an admin. Admin token (shown once, keep it):\n\n    \(token)\n")
            fflush(nil)
        }
        ReloadSignal.install(library: runtime.library, logger: logger)
        return runtime
    }

    /// Reads the config, opens the runtime and hands both (with the logger) to `body`.
    /// `listening`: the process serves the API, so its port is checked before anything opens.
    func withRuntime(listening: Bool = true, _ body: (MailmonRuntime, MailmonConfiguration, Logger) async throws -> Void) async throws {
        HeapRetention.apply(environment: environment)
        let openFiles = OpenFileLimit.inForce
        let file = try file()
        try resolvedLogFormat(file).bootstrap(level: try resolvedLogLevel(file))
        _ = try resolvedMetricsToken(file)
        _ = try resolvedSmtp(file)
        _ = try resolvedSms(file)
        var logger = Logger(label: "mailmon")
        logger.logLevel = try resolvedLogLevel(file)
        if listening {
            _ = try resolvedPort(file)
            let limits = try resolvedLimits(file, openFiles: openFiles)
            logger.info(
                "connection limits", metadata: [
                    "openFiles": "\(openFiles.map(String.init) ?? "unknown")", "maxConnections": "\(limits.maxConnections)",
                    "requestHeadTimeoutSeconds": "\(limits.requestHeadTimeoutSeconds)", "idleTimeoutSeconds": "\(limits.idleTimeoutSeconds)",
                ])
        }
        let runtime = try await openRuntime(file, logger: logger)
        let started = ContinuousClock.now
        logger.info(
            "mailmon started", metadata: [
                "version": "\(MailmonVersion.current)", "database": "\(resolvedDatabase(file))", "scripts": "\(resolvedScripts(file))",
                "scriptSet": "\(runtime.library.generation)", "activeScripts": "\(runtime.library.active.count)",
            ])
        do {
            try await body(runtime, file, logger)
        } catch {
            logger.error("mailmon stopped with an error", metadata: ["error": "\(error)", "uptimeSeconds": "\(Self.seconds(since: started))"])
            throw error
        }
        logger.info("mailmon stopped", metadata: ["uptimeSeconds": "\(Self.seconds(since: started))"])
    }

    static func seconds(since start: ContinuousClock.Instant) -> Int {
        Int((ContinuousClock.now - start).components.seconds)
    }

    /// Invalid tokens an address may send a minute before slowing (MAILMON_AUTH_FAILURE_LIMIT, `server.authFailureLimit`).
    func resolvedAuthFailures(_ file: MailmonConfiguration) throws -> AuthFailureLimiter.Settings {
        let free = try integer(
            nil, "MAILMON_AUTH_FAILURE_LIMIT", file.server?.authFailureLimit, default: AuthFailureLimiter.Settings().freeFailures,
            range: 1...1_000_000_000, name: "auth failure limit")
        return AuthFailureLimiter.Settings(freeFailures: free, slowedFailures: min(free, 500_000_000) * 2)
    }

    /// The API with `/health`, `/ready` (which asks about the worker's lateness when `runsWorker`) and `/metrics`.
    func application(
        _ runtime: MailmonRuntime, _ file: MailmonConfiguration, runsWorker: Bool, logger: Logger
    ) throws -> some ApplicationProtocol {
        let limits = try resolvedLimits(file, openFiles: OpenFileLimit.inForce)
        let waiting = WaitingConnections()
        let settings = resolvedWorkerSettings(file)
        let operations = runtime.operations(
            runsWorker: runsWorker, maxLateness: settings.readyLatenessSeconds, metricsToken: try resolvedMetricsToken(file))
        var dependencies = APIDependencies(
            runtime: runtime, settings: settings, operations: operations,
            senders: try AlertSenders.configured(smtp: try resolvedSmtp(file), sms: try resolvedSms(file)))
        dependencies.authFailures = AuthFailureLimiter(settings: try resolvedAuthFailures(file))
        let dashboard = try Dashboard(runtime: runtime, api: dependencies)
        let host = resolvedHostname(file)
        return Application(
            router: buildRouter(dependencies, pages: dashboard.add),
            server: limits.server(waiting: waiting),
            configuration: limits.configuration(address: .hostname(host, port: try resolvedPort(file)), waiting: waiting, logger: logger),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : (host.contains(":") ? "[\(host)]" : host)
                logger.info("dashboard at http://\(shown):\(port)/ (sign in with an API token)")
                SystemdNotification.send("READY=1")
            },
            logger: logger)
    }

}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the REST API (Uptimeify-compatible IMAP/POP monitors) on an embedded SQLite file.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await options.withRuntime { runtime, file, logger in
            let group = ServiceGroup(
                configuration: .init(
                    services: [try options.application(runtime, file, runsWorker: false, logger: logger), runtime.walCheckpointer()],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
