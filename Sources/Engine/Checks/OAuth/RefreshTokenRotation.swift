public import Domain
import Foundation
public import Logging
import LuaHost

/// Stores a refresh token the provider rotated into the monitor's config (the old one no longer
/// works): a compare-and-swap on the config, tried again when an update came in between.
public struct RefreshTokenRotation: Sendable {
    let monitors: any MonitorRepository
    let logger: Logger

    public init(monitors: any MonitorRepository, logger: Logger) {
        self.monitors = monitors
        self.logger = logger
    }

    public func store(monitorId: Int64, old: String, new: String) async {
        for _ in 0..<5 {
            do {
                guard let monitor = try await monitors.monitor(id: monitorId),
                    var config = (try? LuaValue(json: monitor.fields.config.utf8))?.tableValue,
                    var auth = config["auth"].tableValue, auth["refreshToken"].stringValue == old
                else { return }  // gone, or changed to another token meanwhile: nothing of ours to replace
                auth["refreshToken"] = .string(new)
                config["auth"] = .table(auth)
                let text = try LuaValue.table(config).jsonText(leadingKeys: MonitorConfigKeys.documentedOrder)
                if try await monitors.replaceMonitorConfig(id: monitorId, expected: monitor.fields.config, with: text, at: Date()) {
                    logger.info("oauth2 refresh token rotated and stored", metadata: ["monitor": "\(monitor.publicId.lowercasedString)"])
                    return
                }
            } catch {
                logger.error(
                    "oauth2 refresh token rotated but not stored", metadata: ["monitorId": "\(monitorId)", "error": "\(error)"])
                return
            }
        }
        logger.error("oauth2 refresh token rotated but not stored: the monitor kept changing", metadata: ["monitorId": "\(monitorId)"])
    }
}
