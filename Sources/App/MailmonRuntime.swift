public import Domain
public import Engine
public import Logging
public import LuaHost
import MailProbe
public import Notifiers
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

    public static func open(
        databasePath: String, scriptsDirectory: String, limits: LuaLimits = LuaLimits(), logger: Logger = Logger(label: "mailmon"),
        additionalTrustRootsFile: String? = nil, writeConcurrency: Int = WriteAdmission.defaultPermits
    ) async throws -> MailmonRuntime {
        let database = try AppDatabase(path: databasePath)
        let handle = ScriptLibraryHandle()
        let transport = try ProbeTransport(additionalTrustRootsFile: additionalTrustRootsFile)
        let runner = CheckRunner(probes: ProbeRegistry(transport: transport), ports: PortRule(library: handle))
        var functions = LuaHostFunctions.validators
        functions.merge(.storeReads(customers: database, monitors: database))
        functions.merge(.historyReads(database))
        functions.merge(.checks(runner))
        functions.merge(.log(logger))
        let library = ScriptLibrary(
            directory: scriptsDirectory, limits: limits, hostFunctions: functions, ledger: StoredScriptLedger(versions: database),
            required: HostEntryPoints.required, logger: logger)
        handle.set(library)
        try await library.reload()
        let admission = WriteAdmission(permits: writeConcurrency)
        return MailmonRuntime(
            database: database, library: library,
            monitors: MonitorService(
                monitors: database, customers: database, policy: MonitorPolicy(library: library), access: AccessPolicy(library: library),
                admission: admission),
            customers: CustomerService(customers: database, access: AccessPolicy(library: library), admission: admission), runner: runner,
            logger: logger)
    }

    public func executor(settings: WorkerSettings, clock: any WorkerClock = SystemClock()) -> CheckExecutor {
        CheckExecutor(
            runner: runner, hook: PostCheckHook(library: library), history: database, alerts: database, settings: settings, clock: clock,
            logger: logger)
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
        AlertDispatcher(alerts: database, senders: senders, settings: settings, clock: clock, wake: wake, logger: logger)
    }
}
