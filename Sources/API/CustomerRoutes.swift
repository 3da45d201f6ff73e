import Engine
import Hummingbird
import Domain

/// `/api/customers`: create, list, get, change and delete by id or UUID.
struct CustomerRoutes {
    let service: CustomerService

    func add(to group: RouterGroup<MailmonRequestContext>) {
        group.post("customers") { request, context in
            let customer = try await service.create(try await BodyReader.json(request), actor: try context.actor())
            return Response.json(.created) { ResourceJSON.customer(customer, into: &$0) }
        }
        group.get("customers") { request, context in
            try QueryNames.check(request, QueryNames.paging.union(["search"]), emptyAllowed: ["search"])
            let paging = try Paging(request)
            let page = try await service.list(
                search: request.uri.queryParameters["search"].map(String.init), page: paging.page, perPage: paging.perPage,
                actor: try context.actor())
            return Response.json { json in ResourceJSON.page(page, into: &json) { ResourceJSON.customer($0, into: &$1) } }
        }
        group.get("customers/:id") { _, context in
            let customer = try await service.get(try context.parameters.require("id"), actor: try context.actor())
            return Response.json { ResourceJSON.customer(customer, into: &$0) }
        }
        group.patch("customers/:id") { request, context in
            let customer = try await service.update(
                try context.parameters.require("id"), try await BodyReader.json(request), actor: try context.actor())
            return Response.json { ResourceJSON.customer(customer, into: &$0) }
        }
        group.delete("customers/:id") { request, context in
            try QueryNames.check(request, ["deleteMonitors"])
            let flag = request.uri.queryParameters["deleteMonitors"].map(String.init)
            guard flag == nil || flag == "true" || flag == "false" else {
                throw APIError(.badRequest, "deleteMonitors must be true or false")
            }
            try await service.delete(
                try context.parameters.require("id"), deleteMonitors: flag == "true", actor: try context.actor())
            return Response(status: .noContent)
        }
    }
}
