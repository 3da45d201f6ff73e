import Domain
import Engine
import Foundation
import Hummingbird

/// `GET /api/incidents`, `GET /api/incidents/:publicId` and `POST /api/incidents/:publicId/acknowledge`.
struct IncidentRoutes {
    let service: IncidentService

    func add(to group: RouterGroup<MailmonRequestContext>) {
        group.get("incidents") { request, context in
            try QueryNames.check(request, QueryNames.paging.union(["status", "customerId", "monitorId", "type"]), emptyAllowed: ["type"])
            let paging = try Paging(request)
            let query = request.uri.queryParameters
            func text(_ name: String) -> String? { query[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
            let page = try await service.list(
                status: text("status"), customer: text("customerId"), monitor: text("monitorId"), type: text("type"), page: paging.page,
                perPage: paging.perPage, actor: try context.actor())
            let now = Date()
            return Response.json { json in
                json.object { json in
                    json.key("items")
                    json.array(page.items) { json, listing in Self.write(listing, into: &json, now: now) }
                    json.field("total", page.total)
                    json.field("page", page.page)
                    json.field("perPage", page.perPage)
                }
            }
        }
        group.get("incidents/:publicId") { _, context in
            let (listing, timeline) = try await service.get(try context.parameters.require("publicId"), actor: try context.actor())
            let now = Date()
            return Response.json { json in
                json.object { json in
                    json.key("incident")
                    Self.write(listing, into: &json, now: now)
                    json.key("timeline")
                    json.array(timeline) { json, event in
                        json.object { json in
                            json.field("event", event.event)
                            json.field("at", event.at)
                            json.field("detail", event.detail)
                            json.field("channelType", event.channelType)
                            json.field("channelName", event.channelName)
                        }
                    }
                }
            }
        }
        group.post("incidents/:publicId/acknowledge") { _, context in
            let listing = try await service.acknowledge(try context.parameters.require("publicId"), actor: try context.actor())
            let now = Date()
            return Response.json { json in Self.write(listing, into: &json, now: now) }
        }
    }

    static func write(_ l: IncidentListing, into json: inout JSONWriter, now: Date) {
        let i = l.incident
        let seconds = max(0, (i.endedAt ?? now).timeIntervalSince(i.startedAt))
        json.object { json in
            json.field("id", i.id)
            json.field("publicId", i.publicId?.lowercasedString)
            json.field("type", i.type)
            json.field("status", i.status.rawValue)
            json.field("message", i.message)
            json.field("startedAt", i.startedAt)
            json.field("endedAt", i.endedAt)
            json.field("isOngoing", i.status == .active)
            json.field("duration", HistoryFormat.duration(seconds: seconds))
            json.field("durationMs", Int64(seconds * 1000))
            json.field("acknowledgedAt", i.acknowledgedAt)
            json.field("acknowledgedBy", i.acknowledgedBy)
            json.key("monitor")
            json.object { json in
                json.field("publicId", l.monitorPublicId.lowercasedString)
                json.field("name", l.monitorName)
            }
            json.key("customer")
            json.object { json in
                json.field("id", l.customerId)
                json.field("publicId", l.customerPublicId.lowercasedString)
                json.field("name", l.customerName)
            }
        }
    }
}
