import API
import App
import ArgumentParser
import Engine
import Foundation
import Hummingbird
import ServiceLifecycle
import UnixSignals
import Logging

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
    func resolvedScripts(_ file: MailmonConfiguration) -> String { scripts ?? environment["MAILMON_SCRIPTS"] ?? file.scripts ?? "scripts" }
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
    private func integer(
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

    /// Opens the runtime (database, scripts), prints the bootstrap token on an empty database, installs SIGHUP.
    func openRuntime(_ file: MailmonConfiguration, logger: Logger) async throws -> MailmonRuntime {
        let runtime = try await MailmonRuntime.open(
            databasePath: resolvedDatabase(file), scriptsDirectory: resolvedScripts(file), logger: logger,
            additionalTrustRootsFile: file.trustedCAFile, writeConcurrency: try resolvedWriteConcurrency(file))
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
        let logger = Self.logger
        let file = try file()
        if listening {
            _ = try resolvedPort(file)
            let limits = try resolvedLimits(file, openFiles: openFiles)
            logger.info(
                "connection limits", metadata: [
                    "openFiles": "\(openFiles.map(String.init) ?? "unknown")", "maxConnections": "\(limits.maxConnections)",
                    "requestHeadTimeoutSeconds": "\(limits.requestHeadTimeoutSeconds)", "idleTimeoutSeconds": "\(limits.idleTimeoutSeconds)",
                ])
        }
        try await body(try await openRuntime(file, logger: logger), file, logger)
    }

    func application(_ runtime: MailmonRuntime, _ file: MailmonConfiguration, logger: Logger) throws -> some ApplicationProtocol {
        let limits = try resolvedLimits(file, openFiles: OpenFileLimit.inForce)
        let waiting = WaitingConnections()
        return Application(
            router: buildRouter(APIDependencies(runtime: runtime, settings: file.worker ?? WorkerSettings())),
            server: limits.server(waiting: waiting),
            configuration: limits.configuration(
                address: .hostname(resolvedHostname(file), port: try resolvedPort(file)), waiting: waiting, logger: logger),
            logger: logger)
    }

    static var logger: Logger {
        var logger = Logger(label: "mailmon")
        logger.logLevel = ProcessInfo.processInfo.environment["MAILMON_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
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
                    services: [try options.application(runtime, file, logger: logger), runtime.walCheckpointer()],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
