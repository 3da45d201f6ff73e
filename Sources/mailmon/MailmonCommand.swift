import ArgumentParser

@main
struct MailmonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailmon",
        abstract: "Self-hosted IMAP/POP3 mailbox monitoring with rules in Lua.",
        subcommands: [RunCommand.self, ServeCommand.self, WorkerCommand.self, CheckCommand.self, ScriptsCommand.self, TokenCommand.self]
    )
}
