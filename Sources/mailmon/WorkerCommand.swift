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

    func run() async throws {
        try await options.withRuntime(listening: false) { runtime, file, logger in
            try await WorkerServices.run(runtime, file, extra: [], logger: logger)
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
            try await WorkerServices.run(runtime, file, extra: [try options.application(runtime, file, logger: logger)], logger: logger)
        }
    }
}

enum WorkerServices {
    /// Scheduler and dispatcher (plus `extra` services) until SIGTERM/SIGINT, then a graceful stop:
    /// no new claims, checks in flight finish and are written whole.
    static func run(_ runtime: MailmonRuntime, _ file: MailmonConfiguration, extra: [any Service], logger: Logger) async throws {
        let settings = file.worker ?? WorkerSettings()
        let senders = try AlertSenders.configured(smtp: file.smtp, sms: file.sms)
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
