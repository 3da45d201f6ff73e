import Domain
import Engine
import Hummingbird
import Logging

/// `GET /api/scripts` and `POST /api/admin/scripts/reload`.
struct ScriptRoutes {
    let service: ScriptService

    func add(to group: RouterGroup<MailmonRequestContext>) {
        group.get("scripts") { _, _ in
            Self.listing(service.active)
        }
        group.post("admin/scripts/reload") { _, context in
            let set = try await service.reload(actor: try context.actor())
            context.logger.info("scripts reloaded", metadata: ["generation": "\(set.generation)"])
            return Self.listing(set)
        }
    }

    static func listing(_ set: ScriptSet) -> Response {
        Response.json { json in
            json.object { json in
                json.key("scripts")
                json.array(set.scripts) { json, script in
                    json.object { json in
                        json.field("name", script.name)
                        json.field("version", script.version)
                        json.field("sha256", script.sha256)
                        json.field("loadedAt", script.loadedAt)
                    }
                }
                json.field("generation", set.generation)
            }
        }
    }
}
