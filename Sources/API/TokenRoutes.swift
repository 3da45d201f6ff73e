import Domain
import Engine
import Hummingbird

/// `/api/organization/tokens` and `/api/customer/tokens`: list (a bare array, the secret as a
/// hint), create (the token in clear, once), delete (`{"success": true}`), as the reference API
/// family has them.
struct TokenRoutes {
    let service: TokenService

    func add(to group: RouterGroup<MailmonRequestContext>) {
        for route in [TokenService.Route.organization, .customer] {
            let path = "\(route.rawValue)/tokens"
            group.get(RouterPath(path)) { _, context in
                let tokens = try await service.list(route: route, actor: try context.actor())
                return Response.json { json in json.array(tokens) { json, token in Self.write(token, into: &json) } }
            }
            group.post(RouterPath(path)) { request, context in
                let created = try await service.create(try await BodyReader.json(request), route: route, actor: try context.actor())
                return Response.json(.created) { json in Self.write(created.listing, token: created.token, into: &json) }
            }
            group.delete(RouterPath(path + "/:id")) { _, context in
                try await service.revoke(try context.parameters.require("id"), route: route, actor: try context.actor())
                return Response.json { json in json.object { json in json.field("success", true) } }
            }
        }
    }

    /// A token as listed (`token` nil: with its hint) or as created (`token`: in clear).
    static func write(_ t: TokenListing, token: String? = nil, into json: inout JSONWriter) {
        json.object { json in
            json.field("id", t.id)
            json.field("organizationId", t.organizationId)
            json.field("name", t.userName)
            json.field("role", t.role.rawValue)
            json.field("customerId", t.customerId)
            json.field("customerPublicId", t.customerPublicId?.lowercasedString)
            json.field("customerName", t.customerName)
            if let token {
                json.field("token", token)
            } else {
                json.field("tokenHint", t.prefix + "...")
            }
            json.field("lastUsedAt", t.lastUsedAt)
            json.field("expiresAt", t.expiresAt)
            json.field("createdAt", t.createdAt)
        }
    }
}
