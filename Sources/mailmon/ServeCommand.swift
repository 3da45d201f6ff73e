import API
import ArgumentParser
import Engine
import Foundation
import Hummingbird
import Logging

/// Options shared by `serve` (and later `run`): flags win over MAILMON_* variables.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (env MAILMON_HOSTNAME).") var hostname: String?
    @Option(help: "Port to listen on (env MAILMON_PORT).") var port: Int?
    @Option(help: "SQLite database file (env MAILMON_DATABASE).") var database: String?
    @Option(help: "Script directory (env MAILMON_SCRIPTS).") var scripts: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }
    var resolvedHostname: String { hostname ?? environment["MAILMON_HOSTNAME"] ?? "127.0.0.1" }
    var resolvedPort: Int { port ?? environment["MAILMON_PORT"].flatMap(Int.init) ?? 8080 }
    var resolvedDatabase: String { database ?? environment["MAILMON_DATABASE"] ?? "data/mailmon.sqlite" }
    var resolvedScripts: String { scripts ?? environment["MAILMON_SCRIPTS"] ?? "scripts" }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the REST API (Uptimeify-compatible IMAP/POP monitors) on an embedded SQLite file.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        var logger = Logger(label: "mailmon")
        logger.logLevel = .info
        let runtime = try await MailmonRuntime.open(
            databasePath: options.resolvedDatabase, scriptsDirectory: options.resolvedScripts, logger: logger)
        if let token = try await AccessTokens.bootstrap(runtime.database) {
            print("Created the default organization and an admin. Admin token (shown once, keep it):\n\n    \(token)\n")
            fflush(nil)
        }
        ReloadSignal.install(library: runtime.library, logger: logger)
        let router = buildRouter(
            APIDependencies(access: runtime.database, monitors: runtime.monitors, customers: runtime.customers, scripts: runtime.library))
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.resolvedHostname, port: options.resolvedPort), serverName: "mailmon"),
            logger: logger)
        try await app.runService()
    }
}
