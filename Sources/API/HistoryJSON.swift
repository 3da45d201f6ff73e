import Engine
import Foundation
import Domain

/// The JSON shapes of a monitor's history: incidents, alerts, checks, the details page.
enum HistoryJSON {
    static func incident(_ i: Incident, into json: inout JSONWriter, now: Date) {
        json.object { json in
            json.field("id", i.id)
            json.field("type", i.type)
            json.field("status", i.status.rawValue)
            json.field("message", i.message)
            json.field("startedAt", HistoryFormat.referenceDate(i.startedAt))
            json.field("endedAt", i.endedAt.map(HistoryFormat.referenceDate))
            json.field("duration", HistoryFormat.duration(seconds: (i.endedAt ?? now).timeIntervalSince(i.startedAt)))
            json.field("startedAtIso", i.startedAt)
            json.field("endedAtIso", i.endedAt)
        }
    }

    static func alert(_ a: AlertAttempt, into json: inout JSONWriter) {
        json.object { json in
            json.field("id", a.id)
            json.field("incidentId", a.incidentId)
            json.field("type", a.type)
            json.field("status", a.status)
            json.field("channelName", a.channelName)
            json.field("sentAt", a.sentAt)
            json.field("errorMessage", a.errorMessage)
        }
    }

    /// A stored check: status up/down, when, timings and the probe's details.
    static func check(_ c: CheckRecord, into json: inout JSONWriter) {
        let r = c.result
        json.object { json in
            json.field("id", c.id)
            json.field("status", r.ok ? "up" : "down")
            json.field("ok", r.ok)
            json.field("category", r.category)
            json.field("message", r.message)
            json.field("checkedAt", r.checkedAt)
            json.field("dueAt", r.dueAt)
            json.field("timings", raw: r.timings)
            json.field("messageCount", r.messageCount)
            json.field("certificateNotAfter", r.certificateNotAfter)
            json.field("hookVersion", r.hookVersion)
            json.field("hookError", r.hookError)
            json.field("details", raw: r.details ?? "null")
        }
    }

    static func point(_ c: CheckRecord, into json: inout JSONWriter) {
        json.object { json in
            json.field("checkedAt", c.result.checkedAt)
            json.field("ok", c.result.ok)
            json.field("responseTime", raw: Self.totalMilliseconds(c.result.timings))
        }
    }

    static func bucket(_ b: ResponseBucket, into json: inout JSONWriter) {
        json.object { json in
            json.field("start", b.start)
            json.field("checks", b.checks)
            json.field("ok", b.ok)
            json.field("uptime", raw: number(b.checks == 0 ? nil : Double(b.ok) * 100 / Double(b.checks)))
            json.field("responseTime", raw: number(b.averageMs))
            json.field("maxResponseTime", raw: number(b.maximumMs))
        }
    }

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return String(format: "%.2f", value)
    }

    static func totalMilliseconds(_ timings: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(timings.utf8)) as? [String: Any],
            let total = object["total"] as? Double
        else { return "null" }
        return number(total)
    }
}
