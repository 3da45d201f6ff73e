import Engine
import Hummingbird
import Domain

/// `/api/imap-pop-monitors`: create, list, get, update, delete.
struct MonitorRoutes {
    let service: MonitorService

    func add(to group: RouterGroup<MailmonRequestContext>) {
        group.post("imap-pop-monitors") { request, context in
            let monitor = try await service.create(try await BodyReader.json(request), actor: try context.actor())
            return Response.json(.created) { ResourceJSON.monitor(monitor, into: &$0) }
        }
        group.get("imap-pop-monitors") { request, context in
            try QueryNames.check(request, QueryNames.paging.union(["organizationId", "customerId", "state", "sort", "search"]), emptyAllowed: ["search"])
            let query = request.uri.queryParameters
            let paging = try Paging(request)
            var organizationId: Int64?
            if let text = query["organizationId"].map(String.init), !text.isEmpty {
                guard let value = Int64(text), value > 0 else { throw APIError(.badRequest, "organizationId must be a positive integer") }
                organizationId = value
            }
            let customer = query["customerId"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            var state: MonitorState?
            if let text = query["state"].map(String.init), !text.isEmpty {
                guard let value = MonitorState(rawValue: text) else {
                    throw APIError(.badRequest, "state must be one of \(MonitorState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state = value
            }
            var sortByState = false
            if let text = query["sort"].map(String.init), !text.isEmpty {
                guard text == "state" || text == "id" else { throw APIError(.badRequest, "sort must be state or id") }
                sortByState = text == "state"
            }
            let page = try await service.list(
                .init(organizationId: organizationId, customer: customer, search: query["search"].map(String.init), page: paging.page,
                      perPage: paging.perPage, state: state, sortByState: sortByState),
                actor: try context.actor())
            return Response.json { json in
                ResourceJSON.page(page, into: &json) { item, json in ResourceJSON.monitor(item.0, into: &json, customerName: item.customerName) }
            }
        }
        group.get("imap-pop-monitors/:publicId") { _, context in
            let (monitor, customer) = try await service.view(try context.parameters.require("publicId"), actor: try context.actor())
            return Response.json { ResourceJSON.monitor(monitor, into: &$0, customer: customer) }
        }
        group.patch("imap-pop-monitors/:publicId") { request, context in
            let monitor = try await service.update(
                try context.parameters.require("publicId"), try await BodyReader.json(request), actor: try context.actor())
            return Response.json { ResourceJSON.monitor(monitor, into: &$0) }
        }
        group.delete("imap-pop-monitors/:publicId") { _, context in
            try await service.delete(try context.parameters.require("publicId"), actor: try context.actor())
            return Response(status: .noContent)
        }
    }
}
