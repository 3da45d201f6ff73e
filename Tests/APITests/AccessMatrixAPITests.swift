// Who may do what over the REST API (roles, global supporter, customer scope) and the wall
// between organizations, plus the request-body limit (413), all over real HTTP.
import Notifiers
import App
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import SQLiteStore
import Domain
import Testing

@Suite("Access matrix: roles, customer scope and organization isolation over the API")
struct AccessMatrixAPITests {

    // MARK: - The world every test starts from

    /// A customer as the API returned it.
    struct CustomerRef: Sendable {
        let id: Int
        let publicId: String
        let organizationId: Int
    }

    /// One organization, seen from its own tokens.
    struct Side: Sendable {
        let admin: String
        let readonly: String
        let organization: Int
        let customer: CustomerRef
        /// The monitor of `customer`; its name and status as created.
        let monitor: String
        let monitorName: String
        /// Every monitor and customer (publicIds) of the organization.
        let monitors: Set<String>
        let customers: Set<String>
    }

    /// Organization 1 (the fixture's): customers A and B with one monitor each, tokens for every
    /// role plus customer-scoped ones. Organization 2: its own admin and readonly tokens, one
    /// customer, one monitor.
    struct World: Sendable {
        let fixture: APIFixture
        let customerA: CustomerRef
        let customerB: CustomerRef
        let monitorA: String
        let monitorB: String
        /// Member tokens scoped to customer A / customer B, and a readonly token scoped to A.
        let scopedA: String
        let scopedB: String
        let readonlyScopedA: String
        let otherCustomer: CustomerRef
        let otherMonitor: String
        let first: Side
        let second: Side

        func token(_ caller: Caller) -> String {
            switch caller {
            case .admin: fixture.admin
            case .member: fixture.member
            case .readonly: fixture.readonly
            case .globalSupporter: fixture.supporter
            case .scopedToOwnCustomer: scopedA
            case .scopedToOtherCustomer: scopedB
            case .readonlyScopedToOwnCustomer: readonlyScopedA
            }
        }

        func monitors(_ scope: Caller.Scope) -> Set<String> {
            switch scope {
            case .organization: [monitorA, monitorB]
            case .everything: [monitorA, monitorB, otherMonitor]
            case .customerA: [monitorA]
            case .customerB: [monitorB]
            }
        }

        func customers(_ scope: Caller.Scope) -> Set<String> {
            switch scope {
            case .organization: [customerA.publicId, customerB.publicId]
            case .everything: [customerA.publicId, customerB.publicId, otherCustomer.publicId]
            case .customerA: [customerA.publicId]
            case .customerB: [customerB.publicId]
            }
        }
    }

    /// The kinds of token of organization 1. "Own customer" is customer A, the customer of the
    /// monitor the matrix acts on; "other customer" is customer B of the same organization.
    enum Caller: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case admin, member, readonly, globalSupporter
        case scopedToOwnCustomer, scopedToOtherCustomer, readonlyScopedToOwnCustomer

        var testDescription: String { rawValue }

        enum Scope: Sendable { case organization, everything, customerA, customerB }

        /// What a plain list shows (docs/api.md "Access"; a global supporter reads every organization).
        var scope: Scope {
            switch self {
            case .admin, .member, .readonly: .organization
            case .globalSupporter: .everything
            case .scopedToOwnCustomer, .readonlyScopedToOwnCustomer: .customerA
            case .scopedToOtherCustomer: .customerB
            }
        }

        /// Expected HTTP status codes on monitor A (customer A, organization 1).
        struct MonitorRule: Sendable {
            let create: Int
            let get: Int
            /// `GET /api/imap-pop-monitors?customerId=<customer B>`
            let listCustomerB: Int
            let patchStatus: Int
            let patchName: Int
            let delete: Int
        }

        var monitorRule: MonitorRule {
            switch self {
            case .admin, .member:
                MonitorRule(create: 201, get: 200, listCustomerB: 200, patchStatus: 200, patchName: 200, delete: 204)
            case .readonly:
                MonitorRule(create: 403, get: 200, listCustomerB: 200, patchStatus: 200, patchName: 403, delete: 403)
            case .globalSupporter:
                MonitorRule(create: 403, get: 200, listCustomerB: 200, patchStatus: 403, patchName: 403, delete: 403)
            case .scopedToOwnCustomer:
                MonitorRule(create: 201, get: 200, listCustomerB: 403, patchStatus: 200, patchName: 200, delete: 204)
            case .scopedToOtherCustomer:
                MonitorRule(create: 403, get: 404, listCustomerB: 200, patchStatus: 404, patchName: 404, delete: 404)
            case .readonlyScopedToOwnCustomer:
                MonitorRule(create: 403, get: 200, listCustomerB: 403, patchStatus: 200, patchName: 403, delete: 403)
            }
        }

        /// Expected HTTP status codes on the customers API.
        struct CustomerRule: Sendable {
            let create: Int
            let getA: Int
            let getB: Int
            /// The customer of organization 2.
            let getOther: Int
        }

        var customerRule: CustomerRule {
            switch self {
            case .admin, .member: CustomerRule(create: 201, getA: 200, getB: 200, getOther: 404)
            case .readonly: CustomerRule(create: 403, getA: 200, getB: 200, getOther: 404)
            case .globalSupporter: CustomerRule(create: 403, getA: 200, getB: 200, getOther: 200)
            case .scopedToOwnCustomer, .readonlyScopedToOwnCustomer: CustomerRule(create: 403, getA: 200, getB: 404, getOther: 404)
            case .scopedToOtherCustomer: CustomerRule(create: 403, getA: 404, getB: 200, getOther: 404)
            }
        }
    }

    /// Which organization looks at which.
    enum Direction: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case firstLooksAtSecond, secondLooksAtFirst
        var testDescription: String { rawValue }
    }

    // MARK: - Helpers

    static func monitorJSON(customer: String, name: String) -> String {
        #"{"customerId": \#(customer), "name": "\#(name)", "hostname": "mail.example.com", "port": 993, "# +
            #""imapPopConfig": {"protocol": "imap", "user": "monitor@example.com", "password": "password", "tls": true}}"#
    }

    /// The publicIds of a list answer's `items`.
    static func publicIds(_ body: [String: Any]) -> Set<String> {
        Set((body["items"] as? [[String: Any]] ?? []).compactMap { $0["publicId"] as? String })
    }

    /// `json` (an object) grown to exactly `size` bytes with whitespace before its closing brace:
    /// still valid JSON, only bigger.
    static func padded(_ json: String, toBytes size: Int) -> String {
        precondition(json.hasSuffix("}") && json.utf8.count <= size)
        return String(json.dropLast()) + String(repeating: " ", count: size - json.utf8.count) + "}"
    }

    static func createCustomer(_ client: any TestClientProtocol, token: String, name: String) async throws -> CustomerRef {
        let (status, body) = try await client.call(.post, "/api/customers", token: token, json: #"{"name": "\#(name)"}"#)
        #expect(status == .created, "\(body)")
        return CustomerRef(
            id: try #require(body["id"] as? Int), publicId: try #require(body["publicId"] as? String),
            organizationId: try #require(body["organizationId"] as? Int))
    }

    static func createMonitor(
        _ client: any TestClientProtocol, token: String, customer: CustomerRef, name: String
    ) async throws -> String {
        let (status, body) = try await client.call(
            .post, "/api/imap-pop-monitors", token: token, json: monitorJSON(customer: "\(customer.id)", name: name))
        #expect(status == .created, "\(body)")
        return try #require(body["publicId"] as? String)
    }

    static func withWorld(_ body: @Sendable (World, any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try await APIFixture.make()
        let database = fixture.runtime.database
        let secondOrganization = try await database.createOrganization(name: "Second organization")
        let secondAdmin = try await AccessTokens.create(
            in: database, role: .admin, organizationId: secondOrganization, userName: "second admin").token
        let secondReadonly = try await AccessTokens.create(
            in: database, role: .readonly, organizationId: secondOrganization, userName: "second readonly").token
        try await fixture.application.test(.live) { client in
            let customerA = try await Self.createCustomer(client, token: fixture.admin, name: "Customer A")
            let customerB = try await Self.createCustomer(client, token: fixture.admin, name: "Customer B")
            let otherCustomer = try await Self.createCustomer(client, token: secondAdmin, name: "Second org customer")
            #expect(customerA.organizationId == customerB.organizationId)
            #expect(otherCustomer.organizationId == Int(secondOrganization) && otherCustomer.organizationId != customerA.organizationId)
            let monitorA = try await Self.createMonitor(client, token: fixture.admin, customer: customerA, name: "Mailbox A")
            let monitorB = try await Self.createMonitor(client, token: fixture.admin, customer: customerB, name: "Mailbox B")
            let otherMonitor = try await Self.createMonitor(client, token: secondAdmin, customer: otherCustomer, name: "Second org mailbox")
            let scopedA = try await AccessTokens.create(in: database, role: .member, customerId: Int64(customerA.id)).token
            let scopedB = try await AccessTokens.create(in: database, role: .member, customerId: Int64(customerB.id)).token
            let readonlyScopedA = try await AccessTokens.create(in: database, role: .readonly, customerId: Int64(customerA.id)).token
            let world = World(
                fixture: fixture, customerA: customerA, customerB: customerB, monitorA: monitorA, monitorB: monitorB,
                scopedA: scopedA, scopedB: scopedB, readonlyScopedA: readonlyScopedA, otherCustomer: otherCustomer,
                otherMonitor: otherMonitor,
                first: Side(
                    admin: fixture.admin, readonly: fixture.readonly, organization: customerA.organizationId, customer: customerA,
                    monitor: monitorA, monitorName: "Mailbox A", monitors: [monitorA, monitorB],
                    customers: [customerA.publicId, customerB.publicId]),
                second: Side(
                    admin: secondAdmin, readonly: secondReadonly, organization: otherCustomer.organizationId, customer: otherCustomer,
                    monitor: otherMonitor, monitorName: "Second org mailbox", monitors: [otherMonitor],
                    customers: [otherCustomer.publicId]))
            try await body(world, client)
        }
    }

    // MARK: - Matrix

    @Test("monitors: list, get, create, patch (status / other field) and delete for each kind of token", arguments: Caller.allCases)
    func monitorMatrix(_ caller: Caller) async throws {
        try await Self.withWorld { world, client in
            let token = world.token(caller)
            let rule = caller.monitorRule
            let admin = world.fixture.admin
            let monitorPath = "/api/imap-pop-monitors/\(world.monitorA)"

            // List: exactly what the token may see, and `total` counts that same set.
            let list = try await client.call(.get, "/api/imap-pop-monitors?perPage=200", token: token)
            #expect(list.status == .ok)
            let visible = world.monitors(caller.scope)
            #expect(Self.publicIds(list.body) == visible, "\(caller) listed \(Self.publicIds(list.body))")
            #expect(list.body["total"] as? Int == visible.count)

            // List filtered to customer B: a token scoped to another customer gets a 403.
            let listB = try await client.call(.get, "/api/imap-pop-monitors?customerId=\(world.customerB.id)", token: token)
            #expect(listB.status.code == rule.listCustomerB, "\(caller): \(listB.body)")
            if listB.status == .ok { #expect(Self.publicIds(listB.body) == [world.monitorB]) }

            // Get one.
            let got = try await client.call(.get, monitorPath, token: token)
            #expect(got.status.code == rule.get, "\(caller): \(got.body)")
            if got.status == .ok {
                #expect(got.body["publicId"] as? String == world.monitorA)
                #expect((got.body["customer"] as? [String: Any])?["publicId"] as? String == world.customerA.publicId)
            } else {
                #expect(got.body["statusCode"] as? Int == rule.get && got.body["statusMessage"] as? String == "Not Found")
            }

            // Create for customer A; a refusal writes nothing.
            let created = try await client.call(
                .post, "/api/imap-pop-monitors", token: token, json: Self.monitorJSON(customer: "\(world.customerA.id)", name: "Created"))
            #expect(created.status.code == rule.create, "\(caller): \(created.body)")
            if created.status == .created {
                #expect(created.body["customerId"] as? Int == world.customerA.id)
                #expect(created.body["organizationId"] as? Int == world.customerA.organizationId)
            } else {
                #expect(created.body["statusCode"] as? Int == rule.create && created.body["message"] is String)
            }
            let ofA = try await client.call(.get, "/api/imap-pop-monitors?customerId=\(world.customerA.id)", token: admin)
            #expect(ofA.body["total"] as? Int == (rule.create == 201 ? 2 : 1))

            // PATCH status only: readonly may, a global supporter and another customer's token may not.
            let paused = try await client.call(.patch, monitorPath, token: token, json: #"{"status": "maintenance"}"#)
            #expect(paused.status.code == rule.patchStatus, "\(caller): \(paused.body)")
            var state = try await client.call(.get, monitorPath, token: admin)
            #expect(state.body["status"] as? String == (rule.patchStatus == 200 ? "maintenance" : "active"))

            // PATCH another field: readonly may not.
            let renamed = try await client.call(.patch, monitorPath, token: token, json: #"{"name": "Renamed"}"#)
            #expect(renamed.status.code == rule.patchName, "\(caller): \(renamed.body)")
            state = try await client.call(.get, monitorPath, token: admin)
            #expect(state.body["name"] as? String == (rule.patchName == 200 ? "Renamed" : "Mailbox A"))

            // PATCH status together with another field: the whole request is refused for readonly.
            if caller == .readonly || caller == .readonlyScopedToOwnCustomer {
                let mixed = try await client.call(.patch, monitorPath, token: token, json: #"{"status": "active", "port": 143}"#)
                #expect(mixed.status == .forbidden)
                state = try await client.call(.get, monitorPath, token: admin)
                #expect(state.body["status"] as? String == "maintenance" && state.body["port"] as? Int == 993)
                // Any field beside the status is a 403, also one the update ignores or refuses for everyone.
                for other in [#""customerId": \#(world.customerA.id)"#, #""customerId": 999"#, #""color": "red""#] {
                    let refused = try await client.call(.patch, monitorPath, token: token, json: #"{"status": "active", \#(other)}"#)
                    #expect(refused.status == .forbidden, "\(other): \(refused.body)")
                }
                state = try await client.call(.get, monitorPath, token: admin)
                #expect(state.body["status"] as? String == "maintenance")
            }

            // Delete.
            let deleted = try await client.call(.delete, monitorPath, token: token)
            #expect(deleted.status.code == rule.delete, "\(caller): \(deleted.body)")
            let after = try await client.call(.get, monitorPath, token: admin)
            #expect(after.status.code == (rule.delete == 204 ? 404 : 200))
        }
    }

    @Test("customers: list, get (by id and by UUID) and create for each kind of token", arguments: Caller.allCases)
    func customerMatrix(_ caller: Caller) async throws {
        try await Self.withWorld { world, client in
            let token = world.token(caller)
            let rule = caller.customerRule

            let list = try await client.call(.get, "/api/customers?perPage=200", token: token)
            #expect(list.status == .ok)
            let visible = world.customers(caller.scope)
            #expect(Self.publicIds(list.body) == visible, "\(caller) listed \(Self.publicIds(list.body))")
            #expect(list.body["total"] as? Int == visible.count)

            let targets: [(CustomerRef, Int)] = [(world.customerA, rule.getA), (world.customerB, rule.getB), (world.otherCustomer, rule.getOther)]
            for (customer, expected) in targets {
                for identifier in ["\(customer.id)", customer.publicId] {
                    let (status, body) = try await client.call(.get, "/api/customers/\(identifier)", token: token)
                    #expect(status.code == expected, "\(caller) GET /api/customers/\(identifier): \(body)")
                    if status == .ok {
                        #expect(body["publicId"] as? String == customer.publicId)
                    } else {
                        #expect(body["statusCode"] as? Int == expected)
                    }
                }
            }

            let created = try await client.call(.post, "/api/customers", token: token, json: #"{"name": "New customer"}"#)
            #expect(created.status.code == rule.create, "\(caller): \(created.body)")
            if created.status == .created {
                #expect(created.body["organizationId"] as? Int == world.customerA.organizationId)
            }
            let all = try await client.call(.get, "/api/customers", token: world.fixture.admin)
            #expect(all.body["total"] as? Int == (rule.create == 201 ? 3 : 2))
        }
    }

    // MARK: - Organization isolation

    @Test("one organization's tokens cannot see or touch the other's monitors, customers, history or alert channels",
          arguments: Direction.allCases)
    func organizationIsolation(_ direction: Direction) async throws {
        try await Self.withWorld { world, client in
            let (viewer, target) = direction == .firstLooksAtSecond ? (world.first, world.second) : (world.second, world.first)
            let targetPath = "/api/imap-pop-monitors/\(target.monitor)"

            for token in [viewer.admin, viewer.readonly] {
                // Lists hold only the viewer's own organization.
                let monitors = try await client.call(.get, "/api/imap-pop-monitors?perPage=200", token: token)
                #expect(monitors.status == .ok)
                #expect(Self.publicIds(monitors.body) == viewer.monitors)
                #expect(monitors.body["total"] as? Int == viewer.monitors.count)
                let items = monitors.body["items"] as? [[String: Any]] ?? []
                #expect(items.allSatisfy { $0["organizationId"] as? Int == viewer.organization })
                let searched = try await client.call(.get, "/api/imap-pop-monitors?search=mail", token: token)
                #expect(Self.publicIds(searched.body).isDisjoint(with: target.monitors))
                let customers = try await client.call(.get, "/api/customers?perPage=200", token: token)
                #expect(Self.publicIds(customers.body) == viewer.customers)

                // Another organization's monitor by publicId: 404, as for an id that does not exist, history too.
                let got = try await client.call(.get, targetPath, token: token)
                #expect(got.status == .notFound, "\(got.body)")
                #expect(got.body["statusCode"] as? Int == 404 && got.body["statusMessage"] as? String == "Not Found")
                #expect(got.body["customer"] == nil && got.body["name"] == nil, "nothing of the monitor leaks")
                for suffix in ["incident-history", "alert-history", "details", "details?range=week&granularity=raw"] {
                    let history = try await client.call(.get, "\(targetPath)/\(suffix)", token: token)
                    #expect(history.status == .notFound, "GET \(suffix): \(history.body)")
                    #expect(history.body["statusCode"] as? Int == 404)
                }

                // Another organization's customer: 404, by id and by UUID, also as a list filter.
                for identifier in ["\(target.customer.id)", target.customer.publicId] {
                    #expect(try await client.call(.get, "/api/customers/\(identifier)", token: token).status == .notFound)
                    let filtered = try await client.call(.get, "/api/imap-pop-monitors?customerId=\(identifier)", token: token)
                    #expect(filtered.status == .notFound, "\(filtered.body)")
                }
                // Asking for the other organization explicitly is refused.
                let byOrganization = try await client.call(.get, "/api/imap-pop-monitors?organizationId=\(target.organization)", token: token)
                #expect(byOrganization.status == .forbidden)

                // Not even the status a readonly token may otherwise change.
                let paused = try await client.call(.patch, targetPath, token: token, json: #"{"status": "disabled"}"#)
                #expect(paused.status == .notFound, "\(paused.body)")
                #expect(try await client.call(.delete, targetPath, token: token).status == .notFound)
            }

            // The viewer's admin cannot change, delete or check it, nor create monitors for its customer.
            let renamed = try await client.call(.patch, targetPath, token: viewer.admin, json: #"{"name": "Hijacked"}"#)
            #expect(renamed.status == .notFound)
            let moved = try await client.call(.patch, targetPath, token: viewer.admin, json: #"{"customerId": \#(viewer.customer.id)}"#)
            #expect(moved.status == .notFound)
            #expect(try await client.call(.post, "\(targetPath)/trigger-check", token: viewer.admin).status == .notFound)
            for customer in ["\(target.customer.id)", "\"\(target.customer.publicId)\""] {
                let created = try await client.call(
                    .post, "/api/imap-pop-monitors", token: viewer.admin, json: Self.monitorJSON(customer: customer, name: "Intruder"))
                #expect(created.status == .notFound, "customerId \(customer): \(created.body)")
                #expect(created.body["statusCode"] as? Int == 404 && created.body["message"] as? String == "Customer not found")
            }
            let byReadonly = try await client.call(
                .post, "/api/imap-pop-monitors", token: viewer.readonly,
                json: Self.monitorJSON(customer: "\(target.customer.id)", name: "Intruder"))
            #expect(byReadonly.status == .forbidden, "readonly is refused for its role before the customer is looked up")

            // The target is untouched and nothing was written on either side.
            let untouched = try await client.call(.get, targetPath, token: target.admin)
            #expect(untouched.status == .ok)
            #expect(untouched.body["name"] as? String == target.monitorName && untouched.body["status"] as? String == "active")
            #expect(untouched.body["customerId"] as? Int == target.customer.id)
            let targetList = try await client.call(.get, "/api/imap-pop-monitors", token: target.admin)
            #expect(targetList.body["total"] as? Int == target.monitors.count)
            let viewerList = try await client.call(.get, "/api/imap-pop-monitors", token: viewer.admin)
            #expect(viewerList.body["total"] as? Int == viewer.monitors.count)

            // Alert channels: the target's are not listed, cannot be deleted, and its customer cannot be used.
            let wide = try await client.call(.post, "/api/alert-channels", token: target.admin, json: """
                {"type": "webhook", "name": "target-wide", "url": "https://hooks.example.com/wide"}
                """)
            #expect(wide.status == .created)
            let scoped = try await client.call(.post, "/api/alert-channels", token: target.admin, json: """
                {"type": "slack", "name": "target-customer", "url": "https://hooks.slack.example/T/B", "customerId": \(target.customer.id)}
                """)
            #expect(scoped.status == .created)
            let targetChannels = Set([try #require(wide.body["id"] as? Int), try #require(scoped.body["id"] as? Int)])
            for token in [viewer.admin, viewer.readonly] {
                let listed = try await client.call(.get, "/api/alert-channels", token: token)
                #expect(listed.status == .ok)
                let ids = Set((listed.body["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int })
                #expect(ids.isDisjoint(with: targetChannels), "\(listed.body)")
            }
            for id in targetChannels {
                #expect(try await client.call(.delete, "/api/alert-channels/\(id)", token: viewer.admin).status == .notFound)
            }
            for customer in ["\(target.customer.id)", "\"\(target.customer.publicId)\""] {
                let added = try await client.call(.post, "/api/alert-channels", token: viewer.admin, json: """
                    {"type": "webhook", "name": "intruder", "url": "https://hooks.example.com/x", "customerId": \(customer)}
                    """)
                #expect(added.status == .notFound, "customerId \(customer): \(added.body)")
            }
            let stillThere = try await client.call(.get, "/api/alert-channels", token: target.admin)
            let stillIds = Set((stillThere.body["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int })
            #expect(targetChannels.isSubset(of: stillIds))
            #expect(stillThere.body["total"] as? Int == 2)
        }
    }

    @Test("a customer-scoped token cannot reach another organization's monitor either")
    func scopedTokenAcrossOrganizations() async throws {
        try await Self.withWorld { world, client in
            let path = "/api/imap-pop-monitors/\(world.otherMonitor)"
            for token in [world.scopedA, world.readonlyScopedA] {
                #expect(try await client.call(.get, path, token: token).status == .notFound)
                #expect(try await client.call(.get, "\(path)/incident-history", token: token).status == .notFound)
                #expect(try await client.call(.patch, path, token: token, json: #"{"status": "disabled"}"#).status == .notFound)
                #expect(try await client.call(.delete, path, token: token).status == .notFound)
                let list = try await client.call(.get, "/api/imap-pop-monitors", token: token)
                #expect(Self.publicIds(list.body) == [world.monitorA])
            }
            let untouched = try await client.call(.get, path, token: world.second.admin)
            #expect(untouched.status == .ok && untouched.body["status"] as? String == "active")
        }
    }

    @Test("a global supporter reads another organization (list with organizationId, get, history) and never writes to it")
    func globalSupporterAcrossOrganizations() async throws {
        try await Self.withWorld { world, client in
            let supporter = world.fixture.supporter
            let path = "/api/imap-pop-monitors/\(world.otherMonitor)"

            let second = try await client.call(.get, "/api/imap-pop-monitors?organizationId=\(world.second.organization)", token: supporter)
            #expect(second.status == .ok && Self.publicIds(second.body) == [world.otherMonitor])
            #expect(second.body["total"] as? Int == 1)
            let first = try await client.call(.get, "/api/imap-pop-monitors?organizationId=\(world.first.organization)", token: supporter)
            #expect(Self.publicIds(first.body) == world.first.monitors)
            let byCustomer = try await client.call(.get, "/api/imap-pop-monitors?customerId=\(world.otherCustomer.publicId)", token: supporter)
            #expect(byCustomer.status == .ok && Self.publicIds(byCustomer.body) == [world.otherMonitor])

            let got = try await client.call(.get, path, token: supporter)
            #expect(got.status == .ok)
            #expect((got.body["customer"] as? [String: Any])?["publicId"] as? String == world.otherCustomer.publicId)
            for suffix in ["incident-history", "alert-history", "details"] {
                #expect(try await client.call(.get, "\(path)/\(suffix)", token: supporter).status == .ok, "GET \(suffix)")
            }

            #expect(try await client.call(.patch, path, token: supporter, json: #"{"status": "disabled"}"#).status == .forbidden)
            #expect(try await client.call(.patch, path, token: supporter, json: #"{"name": "x"}"#).status == .forbidden)
            #expect(try await client.call(.delete, path, token: supporter).status == .forbidden)
            #expect(try await client.call(.post, "\(path)/trigger-check", token: supporter).status == .forbidden)
            let created = try await client.call(
                .post, "/api/imap-pop-monitors", token: supporter, json: Self.monitorJSON(customer: "\(world.otherCustomer.id)", name: "n"))
            #expect(created.status == .forbidden)
            #expect(try await client.call(.post, "/api/customers", token: supporter, json: #"{"name": "n"}"#).status == .forbidden)
            let channel = try await client.call(.post, "/api/alert-channels", token: supporter, json: """
                {"type": "webhook", "name": "n", "url": "https://hooks.example.com/n"}
                """)
            #expect(channel.status == .forbidden)

            let untouched = try await client.call(.get, path, token: world.second.admin)
            #expect(untouched.body["status"] as? String == "active" && untouched.body["name"] as? String == "Second org mailbox")
            let list = try await client.call(.get, "/api/imap-pop-monitors", token: world.second.admin)
            #expect(list.body["total"] as? Int == 1)
        }
    }

    // MARK: - Body size

    @Test("a body over 64 KiB is a 413 with the error body and writes nothing; exactly 64 KiB is accepted")
    func oversizedBody() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.application.test(.live) { client in
            let customer = try await Self.createCustomer(client, token: fixture.admin, name: "Example Customer")
            let body = Self.monitorJSON(customer: "\(customer.id)", name: "Mailbox Access")
            let limit = 64 * 1024

            for size in [limit + 1, 256 * 1024, 1024 * 1024] {
                let json = Self.padded(body, toBytes: size)
                #expect(json.utf8.count == size)
                let (status, error) = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: json)
                #expect(status.code == 413, "\(size) bytes: \(error)")
                #expect(error["statusCode"] as? Int == 413)
                #expect(error["statusMessage"] as? String == "Content Too Large")
                #expect((error["message"] as? String)?.isEmpty == false, "\(error)")
                let list = try await client.call(.get, "/api/imap-pop-monitors", token: fixture.admin)
                #expect(list.status == .ok && list.body["total"] as? Int == 0, "nothing written for \(size) bytes")
            }

            // The limit is on size, not content: the same body at exactly 64 KiB is created.
            let accepted = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: Self.padded(body, toBytes: limit))
            #expect(accepted.status == .created, "\(accepted.body)")
            let id = try #require(accepted.body["publicId"] as? String)
            #expect(try await client.call(.get, "/api/imap-pop-monitors", token: fixture.admin).body["total"] as? Int == 1)

            // The server still answers on the same connection afterwards, and PATCH has the same limit.
            let patch = Self.padded(#"{"name": "Renamed"}"#, toBytes: limit + 1)
            let refused = try await client.call(.patch, "/api/imap-pop-monitors/\(id)", token: fixture.admin, json: patch)
            #expect(refused.status.code == 413 && refused.body["statusCode"] as? Int == 413)
            let got = try await client.call(.get, "/api/imap-pop-monitors/\(id)", token: fixture.admin)
            #expect(got.status == .ok && got.body["name"] as? String == "Mailbox Access")

            // So do the other JSON routes.
            let customers = try await client.call(
                .post, "/api/customers", token: fixture.admin, json: Self.padded(#"{"name": "Big"}"#, toBytes: limit + 1))
            #expect(customers.status.code == 413 && customers.body["statusCode"] as? Int == 413)
            #expect(try await client.call(.get, "/api/customers", token: fixture.admin).body["total"] as? Int == 1)
        }
    }
}
