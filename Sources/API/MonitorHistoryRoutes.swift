import Engine
import Foundation
import Hummingbird
import Domain

/// `/api/imap-pop-monitors/:publicId/…`: incident-history, alert-history, details, trigger-check.
struct MonitorHistoryRoutes {
    let service: MonitorHistoryService

    func add(to group: RouterGroup<MailmonRequestContext>) {
        group.get("imap-pop-monitors/:publicId/incident-history") { _, context in
            let page = try await service.incidents(try context.parameters.require("publicId"), actor: try context.actor())
            let now = Date()
            return Response.json { json in
                json.object { json in
                    json.key("incidents")
                    json.array(page.items) { json, incident in HistoryJSON.incident(incident, into: &json, now: now) }
                    json.field("total", page.total)
                }
            }
        }
        group.get("imap-pop-monitors/:publicId/alert-history") { _, context in
            let page = try await service.alertHistory(try context.parameters.require("publicId"), actor: try context.actor())
            return Response.json { json in
                json.object { json in
                    json.key("alerts")
                    json.array(page.items) { json, alert in HistoryJSON.alert(alert, into: &json) }
                    json.field("total", page.total)
                }
            }
        }
        group.get("imap-pop-monitors/:publicId/details") { request, context in
            try QueryNames.check(request, ["range", "date", "startDate", "endDate", "granularity"])
            let query = request.uri.queryParameters
            func value(_ name: String) -> String? { query[name[...]].map(String.init) }
            let now = Date()
            let details = try await service.details(
                try context.parameters.require("publicId"),
                query: try DetailsQuery(
                    range: value("range"), date: value("date"), startDate: value("startDate"), endDate: value("endDate"),
                    granularity: value("granularity"), now: now),
                actor: try context.actor(), now: now)
            return Response.json { DetailsJSON.write(details, into: &$0, now: now) }
        }
        group.post("imap-pop-monitors/:publicId/trigger-check") { _, context in
            let recorded = try await service.trigger(try context.parameters.require("publicId"), actor: try context.actor())
            return Response.json { json in
                json.object { json in
                    json.key("check")
                    HistoryJSON.check(recorded.check, into: &json)
                    json.key("incidentsOpened")
                    json.array(recorded.opened) { json, incident in HistoryJSON.incident(incident, into: &json, now: Date()) }
                    json.key("incidentsResolved")
                    json.array(recorded.resolved) { json, incident in HistoryJSON.incident(incident, into: &json, now: Date()) }
                }
            }
        }
    }
}
