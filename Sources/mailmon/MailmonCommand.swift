import App
import ArgumentParser
import Foundation

@main
struct MailmonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailmon",
        abstract: "Self-hosted IMAP/POP3 mailbox monitoring with rules in Lua.",
        version: MailmonVersion.current,
        subcommands: [
            RunCommand.self, ServeCommand.self, WorkerCommand.self, CheckCommand.self, ScriptsCommand.self, TokenCommand.self,
            ConfigCommand.self, BackupCommand.self, OrgCommand.self, SecretsCommand.self,
        ]
    )

    /// As ArgumentParser's, except that `mailmon check` answers bad arguments as a monitoring
    /// plugin must: a status line and exit 3 (UNKNOWN), not 64.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if arguments.first == "check", !(error is ExitCode), exitCode(for: error) != .success {
                print("MAILMON UNKNOWN - \(message(for: error).split(separator: "\n").first ?? "bad arguments")")
                fflush(nil)
                Foundation.exit(PluginStatus.unknown.rawValue)
            }
            exit(withError: error)
        }
    }
}
