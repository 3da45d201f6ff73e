import Dispatch
import Foundation
import LuaHost
import Logging

/// SIGHUP reloads the scripts (the result goes to the log).
enum ReloadSignal {
    nonisolated(unsafe) private static var source: (any DispatchSourceSignal)?

    static func install(library: ScriptLibrary, logger: Logger) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            Task {
                do {
                    let scripts = try await library.reload()
                    logger.info("SIGHUP: scripts reloaded", metadata: ["generation": "\(library.generation)", "scripts": "\(scripts.count)"])
                } catch {
                    logger.error("SIGHUP: reload refused, the active scripts stay", metadata: ["error": "\(error)"])
                }
            }
        }
        source.resume()
        Self.source = source
    }
}
