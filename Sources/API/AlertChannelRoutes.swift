import Engine
import Hummingbird
import Domain

/// `/api/alert-channels`: the HTTP receivers alerts go to (webhook, Slack, Teams, Discord, Telegram, ntfy), and a test send.
struct AlertChannelRoutes {
    let service: AlertChannelService

    func add(to group: RouterGroup<MailmonRequestContext>) {
        group.post("alert-channels") { request, context in
            let channel = try await service.create(try await BodyReader.json(request), actor: try context.actor())
            return Response.json(.created) { Self.write(channel, into: &$0) }
        }
        group.get("alert-channels") { _, context in
            let channels = try await service.view(actor: try context.actor())
            return Response.json { json in
                json.object { json in
                    json.key("items")
                    json.array(channels) { json, channel in Self.write(channel, into: &json) }
                    json.field("total", channels.count)
                }
            }
        }
        group.post("alert-channels/:id/test") { _, context in
            let outcome = try await service.test(try context.parameters.require("id"), actor: try context.actor())
            return Response.json { json in
                json.object { json in
                    json.field("sent", outcome.sent)
                    json.field("error", outcome.error)
                }
            }
        }
        group.delete("alert-channels/:id") { _, context in
            try await service.delete(try context.parameters.require("id"), actor: try context.actor())
            return Response(status: .noContent)
        }
    }

    static func write(_ c: AlertChannel, into json: inout JSONWriter) {
        json.object { json in
            json.field("id", c.id)
            json.field("organizationId", c.organizationId)
            json.field("customerId", c.customerId)
            json.field("type", c.type.rawValue)
            json.field("name", c.name)
            json.field("url", c.url)
            json.field("createdAt", c.createdAt)
        }
    }
}
