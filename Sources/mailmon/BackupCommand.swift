import App
import ArgumentParser
import Foundation

/// `mailmon backup FILE`: a consistent copy of the live SQLite database.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the live SQLite database to FILE (safe while serve, worker or run are writing).",
        discussion: """
            The copy is one snapshot, checked with SQLite's integrity check, and never overwrites a file.
            Restore: stop mailmon, move the database file and its -wal and -shm files away, copy the backup
            in its place, start mailmon. See docs/operations.md.
            """)

    @Option(help: "SQLite database file (env MAILMON_DATABASE).") var database: String?
    @Argument(help: "Where to write the copy (must not exist).") var file: String

    func run() throws {
        let source = StoreLocation.resolve(database)
        do {
            let summary = try StoreLocation.backup(source, to: file)
            print("backed up \(source) to \(file): \(summary.bytes) bytes, integrity ok")
            for (table, count) in summary.counts.sorted(by: { $0.key < $1.key }) { print("  \(table): \(count)") }
        } catch {
            print("error: \(error)")
            throw ExitCode(1)
        }
    }
}
