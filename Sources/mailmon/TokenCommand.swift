public import ArgumentParser
import App
import Domain
import Engine
import Foundation

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self, List.self, Revoke.self])

    /// The database of `--database`, MAILMON_DATABASE or the default path.
    static func store(_ database: String?) throws -> any AccessRepository {
        try StoreLocation.openAccess(StoreLocation.resolve(database))
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user with a new token and print the token (once).")

        @Option(help: "admin, member or readonly.") var role: Role
        @Flag(help: "Read access to every organization, no writes.") var globalSupporter = false
        @Option(help: "Scope the token to this customer id.") var customer: Int64?
        @Option(help: "Organization id (default: the first).") var organization: Int64?
        @Flag(help: "The platform's operator: may also reload the server-wide scripts over the API.") var `operator` = false
        @Option(help: "SQLite database file (env MAILMON_DATABASE).") var database: String?

        func validate() throws {
            if `operator`, role != .admin || globalSupporter {
                throw ValidationError("--operator needs --role admin (and no --global-supporter): the operator administers the platform")
            }
        }

        func run() async throws {
            let store = try TokenCommand.store(database)
            _ = try await store.ensureDefaultOrganization(name: "Default organization")
            let (token, _) = try await AccessTokens.create(
                in: store, role: role, globalSupporter: globalSupporter, customerId: customer, organizationId: organization,
                platformOperator: `operator`)
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens: id, stored prefix, role, scope; never the tokens.")

        @Option(help: "SQLite database file (env MAILMON_DATABASE).") var database: String?

        func run() async throws {
            let tokens = try await TokenCommand.store(database).tokens()
            print(TokenListingTable.text(tokens), terminator: "")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke tokens by id (see `token list`); a running server refuses them within a second.")

        @Argument(help: "Token ids.") var ids: [Int64]
        @Option(help: "SQLite database file (env MAILMON_DATABASE).") var database: String?

        func run() async throws {
            let store = try TokenCommand.store(database)
            var unknown: [Int64] = []
            for id in ids {
                if try await store.revokeToken(id: id) { print("revoked token \(id)") } else { unknown.append(id) }
            }
            guard unknown.isEmpty else { throw UnknownTokens(ids: unknown) }
        }
    }

    /// Ids `token revoke` found no token for (the others were revoked).
    struct UnknownTokens: Error, CustomStringConvertible {
        let ids: [Int64]
        var description: String { "no token with id \(ids.map(String.init).joined(separator: ", ")) (see `mailmon token list`)" }
    }
}

extension Role: ExpressibleByArgument {}
