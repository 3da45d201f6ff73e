import Engine
import Foundation
import Domain

/// The details page: monitor, latest check, uptime, response-time series, incidents, alerts, maintenance.
enum DetailsJSON {
    static func write(_ d: MonitorHistoryService.Details, into json: inout JSONWriter, now: Date) {
        json.object { json in
            json.field("imapPopMonitorId", d.monitor.id)
            json.key("monitor")
            ResourceJSON.monitor(d.monitor, into: &json, customer: d.customer)
            json.key("latestCheck")
            if let latest = d.latest { HistoryJSON.check(latest, into: &json) } else { json.null() }
            json.key("uptimeStats")
            json.object { json in
                json.field("day", raw: HistoryJSON.number(d.uptime.day))
                json.field("month", raw: HistoryJSON.number(d.uptime.month))
                json.field("year", raw: HistoryJSON.number(d.uptime.year))
            }
            json.key("monitoringData")
            json.object { json in
                json.field("range", d.query.range.rawValue)
                json.field("startDate", d.query.from)
                json.field("endDate", d.query.to)
                json.field("granularity", d.query.raw ? "raw" : "aggregated")
                json.key("points")
                if d.query.raw {
                    json.array(d.raw) { json, check in HistoryJSON.point(check, into: &json) }
                } else {
                    json.array(d.buckets) { json, bucket in HistoryJSON.bucket(bucket, into: &json) }
                }
            }
            json.key("incidents")
            json.array(d.incidents) { json, incident in HistoryJSON.incident(incident, into: &json, now: now) }
            json.key("alerts")
            json.array(d.alerts.items) { json, alert in HistoryJSON.alert(alert, into: &json) }
            json.key("maintenance")
            json.object { json in
                json.field("active", d.monitor.fields.status == .maintenance)
                json.field("status", d.monitor.fields.status.rawValue)
            }
        }
    }
}
