import App
import ArgumentParser
import Foundation

/// `mailmon secrets rotate` and `mailmon secrets prune`: the keys that seal secrets at rest.
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "Rotate the key that seals secrets at rest.", subcommands: [Rotate.self, Prune.self])

    struct Location: ParsableArguments {
        @Option(help: "SQLite database file (env MAILMON_DATABASE).") var database: String?
        @Option(help: "The key file (env MAILMON_SECRET_KEY_FILE; default: beside the database, .key).") var secretKeyFile: String?

        var databasePath: String { StoreLocation.resolve(database) }
        var keyFile: String {
            secretKeyFile ?? ProcessInfo.processInfo.environment["MAILMON_SECRET_KEY_FILE"]
                ?? MailmonRuntime.defaultSecretKeyFile(databasePath: databasePath)
        }

        func validate() throws {
            if ProcessInfo.processInfo.environment["MAILMON_SECRET_KEY"] != nil {
                throw ValidationError("MAILMON_SECRET_KEY is set: keys given in the environment are rotated by whoever sets it, not here")
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a new key first in the key file and re-seal every secret with it, while mailmon runs.",
            discussion: """
                The old keys stay in the file so that processes still running open what they sealed. Restart
                every mailmon process, then run `mailmon secrets prune` to re-seal what they wrote meanwhile and
                drop the old keys.
                """)
        @OptionGroup var location: Location

        func run() async throws {
            do {
                let (keyId, resealed, inUse) = try await StoreLocation.rotateSecrets(
                    databasePath: location.databasePath, keyFile: location.keyFile)
                print("new key \(keyId) in \(location.keyFile); \(resealed) secret(s) re-sealed; keys in use: \(inUse.sorted().joined(separator: ", "))")
                print("restart every mailmon process, then run: mailmon secrets prune")
            } catch {
                print("error: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal anything still under an old key with the current one and remove the old keys from the key file.")
        @OptionGroup var location: Location

        func run() async throws {
            do {
                let (keyId, resealed, removed) = try await StoreLocation.pruneSecrets(
                    databasePath: location.databasePath, keyFile: location.keyFile)
                print("\(resealed) secret(s) re-sealed with \(keyId); \(removed) old key(s) removed from \(location.keyFile)")
            } catch {
                print("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
