import Domain
import Engine
import Foundation
import Hummingbird

/// `GET /api/audit-log`: who changed what, newest first, paged and filtered.
struct AuditLogRoutes {
    let service: AuditLogService

    func add(to group: RouterGroup<MailmonRequestContext>) {
        group.get("audit-log") { request, context in
            try QueryNames.check(request, QueryNames.paging.union(["action", "targetType", "targetId", "customerId", "tokenId", "since", "until"]))
            let paging = try Paging(request)
            let query = request.uri.queryParameters
            func text(_ name: String) -> String? { query[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
            let filters = AuditLogService.Filters(
                action: text("action"), targetType: text("targetType"), targetId: text("targetId"), customer: text("customerId"),
                tokenId: text("tokenId"), since: text("since"), until: text("until"))
            let page = try await service.list(filters, page: paging.page, perPage: paging.perPage, actor: try context.actor())
            return Response.json { json in ResourceJSON.page(page, into: &json) { Self.write($0, into: &$1) } }
        }
    }

    static func write(_ entry: AuditEntry, into json: inout JSONWriter) {
        let r = entry.record
        json.object { json in
            json.field("id", entry.id)
            json.field("at", r.at)
            json.field("action", r.action)
            json.key("target")
            json.object { json in
                json.field("type", r.targetType)
                json.field("id", r.targetId)
            }
            json.field("customerId", entry.customerPublicId?.lowercasedString)
            json.key("actor")
            json.object { json in
                json.field("userId", r.userId)
                json.field("userName", entry.userName)
                json.field("tokenId", r.tokenId)
                json.field("tokenPrefix", entry.tokenPrefix)
            }
            json.field("changes", strings: r.changes)
            json.field("policyVersion", r.policyVersion)
            json.field("requestId", r.requestId)
        }
    }
}
