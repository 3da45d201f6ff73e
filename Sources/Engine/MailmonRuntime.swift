public import LuaHost
public import Logging
import MailProbe
public import Store

/// The assembled engine: database, script library with every host primitive,
/// and the services built on them. `serve`, `worker` and the tests start here.
public struct MailmonRuntime: Sendable {
    public let database: AppDatabase
    public let library: ScriptLibrary
    public let monitors: MonitorService
    public let customers: CustomerService

    public static func open(
        databasePath: String, scriptsDirectory: String, limits: LuaLimits = LuaLimits(), logger: Logger = Logger(label: "mailmon")
    ) async throws -> MailmonRuntime {
        let database = try AppDatabase(path: databasePath)
        let handle = ScriptLibraryHandle()
        let runner = CheckRunner(probes: ProbeRegistry(transport: try ProbeTransport()), ports: PortRule(library: handle))
        var functions = LuaHostFunctions.validators
        functions.merge(.storeReads(customers: database, monitors: database))
        functions.merge(.checks(runner))
        let library = ScriptLibrary(directory: scriptsDirectory, limits: limits, hostFunctions: functions, logger: logger)
        handle.set(library)
        try await library.reload()
        return MailmonRuntime(
            database: database, library: library,
            monitors: MonitorService(monitors: database, customers: database, policy: MonitorPolicy(library: library)),
            customers: CustomerService(customers: database))
    }
}
