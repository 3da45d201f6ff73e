import API
import ArgumentParser
import App
import Engine
import Notifiers
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// `mailmon worker`: runs the checks, the post-check hooks and the alert deliveries.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run scheduled checks, post-check hooks and alert deliveries against the database.")

    @OptionGroup var options: ServerOptions
    @Option(help: "Serve /health, /ready and /metrics on HOST:PORT (env MAILMON_WORKER_LISTEN; default: none).")
    var listen: String?

    func run() async throws {
        // A listen address that cannot be used stops the worker before the database is opened.
        let configured = try options.file().workerListen
        if let address = listen ?? options.environment["MAILMON_WORKER_LISTEN"] ?? configured {
            _ = try ListenAddress.parse(address)
        }
        try await options.withRuntime(listening: false) { runtime, file, logger in
            var extra: [any Service] = []
            if let address = listen ?? options.environment["MAILMON_WORKER_LISTEN"] ?? file.workerListen {
                let (host, port) = try ListenAddress.parse(address)
                let settings = options.resolvedWorkerSettings(file)
                let operations = runtime.operations(
                    runsWorker: true, maxLateness: settings.readyLatenessSeconds, metricsToken: try options.resolvedMetricsToken(file))
                extra.append(
                    Application(
                        router: buildOperationsRouter(operations), configuration: .init(address: .hostname(host, port: port)), logger: logger))
                logger.info("worker: /health, /ready and /metrics on \(host):\(port)")
            }
            // The database is open and the scripts are loaded: systemd's Type=notify may go on.
            SystemdNotification.send("READY=1")
            try await WorkerServices.run(runtime, file, options: options, extra: extra, logger: logger)
        }
    }
}

/// `mailmon run`: the API and the worker in one process on the embedded SQLite.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Serve the API and run the worker in one process (the default set-up).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await options.withRuntime { runtime, file, logger in
            try await WorkerServices.run(
                runtime, file, options: options, extra: [try options.application(runtime, file, runsWorker: true, logger: logger)],
                logger: logger)
        }
    }
}

enum WorkerServices {
    /// Scheduler and dispatcher (plus `extra` services) until SIGTERM/SIGINT, then a graceful stop:
    /// no new claims, checks in flight finish and are written whole.
    static func run(
        _ runtime: MailmonRuntime, _ file: MailmonConfiguration, options: ServerOptions, extra: [any Service], logger: Logger
    ) async throws {
        let settings = options.resolvedWorkerSettings(file)
        let senders = try AlertSenders.configured(smtp: try options.resolvedSmtp(file), sms: try options.resolvedSms(file))
        if file.smtp == nil { logger.warning("no smtp relay configured: e-mail alerts will be recorded as failed") }
        logger.info("worker \(settings.workerId): concurrency \(settings.concurrency), retention \(settings.retentionDays) days")
        let group = ServiceGroup(
            configuration: .init(
                services: extra + [
                    runtime.scheduler(settings: settings), runtime.dispatcher(settings: settings, senders: senders), runtime.walCheckpointer(),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
