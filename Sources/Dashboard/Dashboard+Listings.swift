import API
import Domain
import Engine
import Foundation
import Hummingbird

struct CustomerRow {
    let name: String
    let publicId: String
    let email: String?
    let threshold: Int
    let monitorsHref: String
    let statusHref: String?
}

struct CustomersView {
    let chrome: Chrome
    let customers: [CustomerRow]
    let empty: Bool
}

struct ScriptRow {
    let name: String
    let version: String
    let sha256: String
    let loadedAt: String
}

struct ScriptsView {
    let chrome: Chrome
    let generation: Int
    let scripts: [ScriptRow]
}

extension Dashboard {
    /// `GET /customers` and `GET /scripts` (the active scripts and their versions).
    func addListings(to router: Router<MailmonRequestContext>) {
        router.get("customers") { request, _ in
            try await page(request) { me, _ in
                let found = try await customers.list(search: nil, page: 1, perPage: 500, actor: me.principal)
                let rows = found.items.map {
                    CustomerRow(
                        name: $0.name, publicId: $0.publicId.lowercasedString, email: $0.email, threshold: $0.alertLocationThresholdCount,
                        monitorsHref: "/?customer=\($0.publicId.lowercasedString)", statusHref: $0.statusPage.map { "/status/\($0.slug)" })
                }
                return pages.page("customers", CustomersView(chrome: me.chrome, customers: rows, empty: rows.isEmpty))
            }
        }
        router.get("scripts") { request, _ in
            try await page(request) { me, _ in
                let set = scripts.active
                return pages.page(
                    "scripts",
                    ScriptsView(
                        chrome: me.chrome, generation: set.generation,
                        scripts: set.scripts.map {
                            ScriptRow(name: $0.name, version: $0.version, sha256: String($0.sha256.prefix(16)), loadedAt: ViewFormat.clock($0.loadedAt))
                        }))
            }
        }
    }
}
