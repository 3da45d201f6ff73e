import Engine
import Hummingbird
import LuaHost
import Logging
import Store

/// `GET /api/scripts` and `POST /api/admin/scripts/reload`.
struct ScriptRoutes {
    let library: ScriptLibrary

    func add(to group: RouterGroup<MailmonRequestContext>) {
        group.get("scripts") { _, _ in
            Self.listing(library.active, generation: library.generation)
        }
        group.post("admin/scripts/reload") { _, context in
            let actor = try context.actor()
            guard actor.role == .admin, !actor.globalSupporter else { throw APIError(.forbidden, "Forbidden: admin only") }
            do {
                let scripts = try await library.reload()
                context.logger.info("scripts reloaded", metadata: ["generation": "\(library.generation)"])
                return Self.listing(scripts, generation: library.generation)
            } catch let error as LuaScriptError {
                throw APIError(.badRequest, "reload refused, the active scripts stay: \(error.location.map { "\($0): " } ?? "")\(error.message)")
            }
        }
    }

    static func listing(_ scripts: [ScriptInfo], generation: Int) -> Response {
        Response.json { json in
            json.object { json in
                json.key("scripts")
                json.array(scripts) { json, script in
                    json.object { json in
                        json.field("name", script.name)
                        json.field("version", script.version)
                        json.field("sha256", script.sha256)
                        json.field("loadedAt", script.loadedAt)
                    }
                }
                json.field("generation", generation)
            }
        }
    }
}
