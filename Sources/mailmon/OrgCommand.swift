import App
import ArgumentParser
import Domain
import Engine
import Foundation

/// `mailmon org create|list`: the platform operator's tenants (an MSP's organizations).
struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org", abstract: "Manage organizations (tenants) on this database.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an organization with its first admin and print the admin's token (once).",
            discussion: "The admin manages the organization over the API: customers, monitors, channels and its own tokens (/api/organization/tokens).")

        @Argument(help: "The organization's name.") var name: String
        @Option(help: "SQLite database file (env MAILMON_DATABASE).") var database: String?

        func validate() throws {
            guard (1...255).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ValidationError("the name must be 1-255 characters without control characters")
            }
        }

        func run() async throws {
            let store = try TokenCommand.store(database)
            _ = try await store.ensureDefaultOrganization(name: "Default organization")
            let organization = try await store.createOrganization(name: name)
            let (token, _) = try await AccessTokens.create(
                in: store, role: .admin, organizationId: organization, userName: "\(name) admin")
            print("Created organization \(organization) (\(name)). Its admin token (shown once, keep it):\n\n    \(token)\n")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the organizations with their customers, monitors and tokens.")
        @Option(help: "SQLite database file (env MAILMON_DATABASE).") var database: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let organizations = try await TokenCommand.store(database).organizations()
            if json {
                let objects = organizations.map {
                    ["id": $0.id, "name": $0.name, "createdAt": Timestamp.format($0.createdAt), "customers": $0.customers,
                     "monitors": $0.monitors, "tokens": $0.tokens] as [String: Any]
                }
                let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("ID    NAME                            CUSTOMERS  MONITORS  TOKENS  CREATED")
            for o in organizations {
                let name = o.name.count > 30 ? String(o.name.prefix(29)) + "…" : o.name
                print(
                    String(o.id).padding(toLength: 6, withPad: " ", startingAt: 0) + name.padding(toLength: 32, withPad: " ", startingAt: 0)
                        + String(o.customers).padding(toLength: 11, withPad: " ", startingAt: 0)
                        + String(o.monitors).padding(toLength: 10, withPad: " ", startingAt: 0)
                        + String(o.tokens).padding(toLength: 8, withPad: " ", startingAt: 0) + Timestamp.format(o.createdAt))
            }
        }
    }
}
