public import Logging
public import LuaHost
public import Domain

extension LuaHostFunctions {
    /// `mailmon.log.debug/info/warning/error(message)`: into the process log with the
    /// calling script and line as metadata.
    public static func log(_ logger: Logger) -> LuaHostFunctions {
        var functions = LuaHostFunctions()
        let levels: [(String, Logger.Level)] = [("debug", .debug), ("info", .info), ("warning", .warning), ("error", .error)]
        for (name, level) in levels {
            functions.register("mailmon.log.\(name)") { call in
                let message = call.arguments.map { $0.stringValue ?? $0.description }.joined(separator: " ")
                logger.log(level: level, "\(message)", metadata: ["script": "\(call.script ?? "?"):\(call.line ?? 0)"])
                return []
            }
        }
        return functions
    }

    /// `mailmon.store.recent_results(monitor_id, limit)`: a monitor's latest results,
    /// newest first (at most 500), in the shape of a hook's `input.history`.
    public static func historyReads(_ history: any CheckHistoryRepository) -> LuaHostFunctions {
        var functions = LuaHostFunctions()
        functions.registerAsync("mailmon.store.recent_results") { call in
            guard let id = call[0].integerValue else { throw LuaHostError("monitor id must be an integer") }
            let limit = min(500, max(1, Int(call[1].integerValue ?? 10)))
            let records = try await history.recentResults(monitorId: id, limit: limit)
            return [.table(LuaTable(array: records.map(HookInput.table(record:))))]
        }
        return functions
    }
}
