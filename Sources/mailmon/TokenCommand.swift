public import ArgumentParser
import Foundation
import Engine
import Store

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user with a new token and print the token (once).")

        @Option(help: "admin, member or readonly.") var role: Role
        @Flag(help: "Read access to every organization, no writes.") var globalSupporter = false
        @Option(help: "Scope the token to this customer id.") var customer: Int64?
        @Option(help: "Organization id (default: the first).") var organization: Int64?
        @Option(help: "SQLite database file (env MAILMON_DATABASE).") var database: String?

        func run() async throws {
            let path = database ?? ProcessInfo.processInfo.environment["MAILMON_DATABASE"] ?? "data/mailmon.sqlite"
            let store = try AppDatabase(path: path)
            _ = try await store.ensureDefaultOrganization(name: "Default organization")
            let (token, _) = try await AccessTokens.create(
                in: store, role: role, globalSupporter: globalSupporter, customerId: customer, organizationId: organization)
            print(token)
        }
    }
}

extension Role: ExpressibleByArgument {}
