import Domain
public import Engine
public import API
public import Foundation
public import Logging
public import LuaHost
import MailProbe
public import Notifiers
public import Prometheus
public import SQLiteStore

/// The assembled engine: the store, the script library with every host primitive, and the
/// services built on them. `serve`, `worker`, `run` and the tests start here; the one place
/// that names a concrete store.
public struct MailmonRuntime: Sendable {
    public let database: AppDatabase
    public let library: ScriptLibrary
    public let monitors: MonitorService
    public let customers: CustomerService
    public let runner: CheckRunner
    public let logger: Logger
    /// What checks, alerts and script calls count, into `exposition`'s registry.
    public let metrics: MailmonMetrics
    public let exposition: PrometheusExposition
    /// Passwords handed to hooks as handles (see `SealedSecrets`).
    public let sealed: SealedSecrets
    /// The keys that seal secrets at rest.
    public let secrets: SecretKeyRing
    /// Access tokens of OAuth2 monitors, shared by the worker and checks on demand.
    public let tokens: OAuthTokenSource

    /// `data/mailmon.sqlite` → `data/mailmon.key`: the key file beside the database.
    public static func defaultSecretKeyFile(databasePath: String) -> String {
        (databasePath as NSString).deletingPathExtension + ".key"
    }

    public static func open(
        databasePath: String, scriptsDirectory: String, limits: LuaLimits = LuaLimits(), logger: Logger = Logger(label: "mailmon"),
        additionalTrustRootsFile: String? = nil, writeConcurrency: Int = WriteAdmission.defaultPermits,
        metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), perMonitorMetrics: Bool = true,
        secretKeyFile: String? = nil
    ) async throws -> MailmonRuntime {
        let secrets = try SecretKeyRing.load(path: secretKeyFile ?? Self.defaultSecretKeyFile(databasePath: databasePath))
        let database = try AppDatabase(path: databasePath, cipher: secrets)
        let metrics = MailmonMetrics(factory: PrometheusExposition.factory(registry: metricsRegistry))
        let handle = ScriptLibraryHandle()
        let transport = try ProbeTransport(additionalTrustRootsFile: additionalTrustRootsFile)
        let runner = CheckRunner(probes: ProbeRegistry(transport: transport), ports: PortRule(library: handle))
        var functions = LuaHostFunctions.validators
        functions.merge(.storeReads(customers: database, monitors: database))
        functions.merge(.historyReads(database))
        let sealed = SealedSecrets()
        functions.merge(.checks(runner, sealed: sealed))
        functions.merge(.log(logger))
        let library = ScriptLibrary(
            directory: scriptsDirectory, limits: limits, hostFunctions: functions, ledger: StoredScriptLedger(versions: database),
            required: HostEntryPoints.required, logger: logger, observer: metrics)
        handle.set(library)
        try await library.reload()
        let admission = WriteAdmission(permits: writeConcurrency)
        return MailmonRuntime(
            database: database, library: library,
            monitors: MonitorService(
                monitors: database, customers: database, policy: MonitorPolicy(library: library), access: AccessPolicy(library: library),
                admission: admission),
            customers: CustomerService(customers: database, monitors: database, access: AccessPolicy(library: library), admission: admission),
            runner: runner,
            logger: logger, metrics: metrics,
            exposition: PrometheusExposition(
                readings: database, library: library, perMonitor: perMonitorMetrics, registry: metricsRegistry),
            sealed: sealed, secrets: secrets,
            tokens: OAuthTokenSource(rotated: { id, old, new in
                await RefreshTokenRotation(monitors: database, logger: logger).store(monitorId: id, old: old, new: new)
            }))
    }

    public func executor(settings: WorkerSettings, clock: any WorkerClock = SystemClock()) -> CheckExecutor {
        CheckExecutor(
            runner: runner, hook: PostCheckHook(library: library), history: database, alerts: database, settings: settings, clock: clock,
            logger: logger, metrics: metrics, sealed: sealed, tokens: tokens)
    }

    public func scheduler(settings: WorkerSettings, clock: any WorkerClock = SystemClock(), wake: WakeSignal = WakeSignal()) -> CheckScheduler {
        CheckScheduler(
            schedule: database, history: database, executor: executor(settings: settings, clock: clock), settings: settings, clock: clock,
            wake: wake, logger: logger)
    }

    /// The background WAL checkpoints every long-running process runs.
    public func walCheckpointer() -> WALCheckpointer {
        WALCheckpointer(database: database, logger: logger)
    }

    public func history(settings: WorkerSettings = WorkerSettings()) -> MonitorHistoryService {
        MonitorHistoryService(
            monitors: monitors, history: database, statistics: database, alerts: database, executor: executor(settings: settings))
    }

    public func dispatcher(
        settings: WorkerSettings, senders: AlertSenders, clock: any WorkerClock = SystemClock(), wake: WakeSignal = WakeSignal()
    ) -> AlertDispatcher {
        AlertDispatcher(alerts: database, senders: senders, settings: settings, clock: clock, wake: wake, logger: logger, metrics: metrics)
    }

    /// `/health`, `/ready` (with the worker's lateness when this process runs the worker) and `/metrics`.
    public func operations(runsWorker: Bool, maxLateness: TimeInterval = 120, metricsToken: String? = nil) -> OperationsEndpoints {
        let exposition = self.exposition
        return OperationsEndpoints(
            readiness: Readiness(
                store: database, library: library, schedule: runsWorker ? database : nil, maxLateness: maxLateness),
            metrics: { try await exposition.scrape() }, metricsToken: metricsToken)
    }
}
