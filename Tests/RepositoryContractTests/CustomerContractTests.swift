import Domain
import Foundation
import Testing

@Suite("Contract: customers (CustomerRepository)")
struct CustomerContractTests {
    @Test("insertCustomer stores the customer; it reads back by id and by publicId", arguments: StoreKind.allCases)
    func insertAndRead(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let publicId = UUID()
            let inserted = try await store.customers.insertCustomer(
                NewCustomer(
                    publicId: publicId, organizationId: organization, name: "Acme", email: "it@acme.example",
                    allowedCheckCountryCodes: ["DE", "FR"], alertLocationThresholdCount: 3))
            #expect(inserted.publicId == publicId && inserted.organizationId == organization && inserted.name == "Acme")
            #expect(inserted.email == "it@acme.example" && inserted.allowedCheckCountryCodes == ["DE", "FR"])
            #expect(inserted.alertLocationThresholdCount == 3)

            #expect(try await store.customers.customer(id: inserted.id) == inserted)
            #expect(try await store.customers.customer(publicId: publicId, organizationId: organization) == inserted)
            #expect(try await store.customers.customer(publicId: publicId, organizationId: nil) == inserted)
            #expect(try await store.customers.customer(id: inserted.id + 1000) == nil)
            #expect(try await store.customers.customer(publicId: UUID(), organizationId: organization) == nil)
            #expect(try await store.customers.customer(publicId: UUID(), organizationId: nil) == nil)
        }
    }

    @Test("a customer is found by publicId only within its own organization, or in any with a nil organization", arguments: StoreKind.allCases)
    func publicIdScope(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let second = try await store.createOrganization("Second")
            let customer = try await store.addCustomer(organizationId: second)
            #expect(try await store.customers.customer(publicId: customer.publicId, organizationId: organization) == nil)
            #expect(try await store.customers.customer(publicId: customer.publicId, organizationId: second) == customer)
            #expect(try await store.customers.customer(publicId: customer.publicId, organizationId: nil) == customer)
        }
    }

    @Test("the same publicId may exist in two organizations; each organization sees its own", arguments: StoreKind.allCases)
    func samePublicIdInTwoOrganizations(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let second = try await store.createOrganization("Second")
            let publicId = UUID()
            let first = try await store.addCustomer(organizationId: organization, name: "First", publicId: publicId)
            let other = try await store.addCustomer(organizationId: second, name: "Other", publicId: publicId)
            #expect(first.id != other.id)
            #expect(try await store.customers.customer(publicId: publicId, organizationId: organization) == first)
            #expect(try await store.customers.customer(publicId: publicId, organizationId: second) == other)
            // Nil organization: the first in any.
            #expect(try await store.customers.customer(publicId: publicId, organizationId: nil) == first)
        }
    }

    @Test("a publicId taken within the organization throws StoreError.conflict and writes nothing", arguments: StoreKind.allCases)
    func conflict(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let publicId = UUID()
            let first = try await store.addCustomer(organizationId: organization, name: "First", publicId: publicId)
            let error = await #expect(throws: StoreError.self) {
                try await store.addCustomer(organizationId: organization, name: "Second", publicId: publicId)
            }
            guard case .conflict = error else {
                Issue.record("expected StoreError.conflict, got \(String(describing: error))")
                return
            }
            let page = try await store.customers.customers(organizationId: organization, onlyCustomerId: nil, search: nil, page: 1, perPage: 10)
            #expect(page.total == 1 && page.items == [first])
        }
    }

    @Test("customers(…) filters by organization, by one customer and by a name or email substring", arguments: StoreKind.allCases)
    func listFilters(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let second = try await store.createOrganization("Second")
            let acme = try await store.addCustomer(organizationId: organization, name: "Acme Mail", email: "ops@acme.example")
            let globex = try await store.addCustomer(organizationId: organization, name: "Globex", email: "it@globex.example")
            let plain = try await store.addCustomer(organizationId: organization, name: "Initech", email: nil)
            let foreign = try await store.addCustomer(organizationId: second, name: "Acme Foreign", email: nil)

            func list(_ organizationId: Int64?, only: Int64? = nil, search: String? = nil) async throws -> Page<Customer> {
                try await store.customers.customers(organizationId: organizationId, onlyCustomerId: only, search: search, page: 1, perPage: 50)
            }

            let mine = try await list(organization)
            #expect(mine.total == 3 && Set(mine.items) == [acme, globex, plain])
            let all = try await list(nil)
            #expect(all.total == 4 && Set(all.items) == [acme, globex, plain, foreign])
            let theirs = try await list(second)
            #expect(theirs.total == 1 && theirs.items == [foreign])

            let only = try await list(organization, only: globex.id)
            #expect(only.total == 1 && only.items == [globex])
            // One customer of another organization is not in this organization's list.
            let onlyForeign = try await list(organization, only: foreign.id)
            #expect(onlyForeign.total == 0 && onlyForeign.items.isEmpty)

            let byName = try await list(organization, search: "Acme")
            #expect(byName.total == 1 && byName.items == [acme])
            let byEmail = try await list(organization, search: "globex.example")
            #expect(byEmail.total == 1 && byEmail.items == [globex])
            let acrossOrganizations = try await list(nil, search: "Acme")
            #expect(acrossOrganizations.total == 2 && Set(acrossOrganizations.items) == [acme, foreign])
            let none = try await list(organization, search: "nothing like it")
            #expect(none.total == 0 && none.items.isEmpty)
            // An empty search filters nothing.
            #expect(try await list(organization, search: "").total == 3)
        }
    }

    @Test("a search is a literal substring: %, _ and \\ match only themselves", arguments: StoreKind.allCases)
    func searchIsLiteral(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let percent = try await store.addCustomer(organizationId: organization, name: "100% Mail")
            let underscore = try await store.addCustomer(organizationId: organization, name: "mail_box")
            let backslash = try await store.addCustomer(organizationId: organization, name: #"dom\ain"#)
            _ = try await store.addCustomer(organizationId: organization, name: "Other")

            func search(_ text: String) async throws -> [Customer] {
                try await store.customers.customers(organizationId: organization, onlyCustomerId: nil, search: text, page: 1, perPage: 50).items
            }
            #expect(try await search("%") == [percent])
            #expect(try await search("_") == [underscore])
            #expect(try await search(#"\"#) == [backslash])
        }
    }

    @Test("customers(…) pages through every match exactly once, each page with the total of all matches", arguments: StoreKind.allCases)
    func paging(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            var made: [Customer] = []
            for index in 1...5 { made.append(try await store.addCustomer(organizationId: organization, name: "Customer \(index)")) }

            var seen: [Customer] = []
            for page in 1...3 {
                let listed = try await store.customers.customers(
                    organizationId: organization, onlyCustomerId: nil, search: nil, page: page, perPage: 2)
                #expect(listed.total == 5 && listed.page == page && listed.perPage == 2)
                #expect(listed.items.count == (page == 3 ? 1 : 2))
                seen += listed.items
            }
            // The order is not documented for customers (it is for monitors): every customer once.
            #expect(seen.count == 5 && Set(seen) == Set(made))
            let beyond = try await store.customers.customers(organizationId: organization, onlyCustomerId: nil, search: nil, page: 4, perPage: 2)
            #expect(beyond.total == 5 && beyond.items.isEmpty)
            let searched = try await store.customers.customers(
                organizationId: organization, onlyCustomerId: nil, search: "Customer", page: 2, perPage: 3)
            #expect(searched.total == 5 && searched.items.count == 2)
        }
    }
}
