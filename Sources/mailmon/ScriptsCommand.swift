import ArgumentParser
import Foundation
import Engine
import LuaHost

struct ScriptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scripts",
        abstract: "Work with the Lua script library.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile every script, run its selftest, and print name, version and sha256.",
            discussion: "Exits 1 with file:line: message when a script fails; run it in your own CI before deploying scripts."
        )

        @Argument(help: "The script directory.")
        var directory: String = "scripts"

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            do {
                let scripts = try await ScriptLibrary.check(directory: directory, required: HostEntryPoints.required)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    encoder.dateEncodingStrategy = .iso8601
                    print(String(decoding: try encoder.encode(scripts), as: UTF8.self))
                    return
                }
                let width = scripts.map(\.name.count).max() ?? 0
                for script in scripts {
                    let name = script.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    let version = script.version.padding(toLength: max(8, script.version.count), withPad: " ", startingAt: 0)
                    print("\(name)  \(version)  \(script.sha256)\(script.hasSelftest ? "  selftest ok" : "")")
                }
                print("\(scripts.count) script\(scripts.count == 1 ? "" : "s") OK in \(directory)")
            } catch let error as LuaScriptError {
                let path = error.script.map { (directory as NSString).appendingPathComponent($0) }
                let location = path.map { p in error.line.map { "\(p):\($0)" } ?? p }
                FileHandle.standardError.write(Data(((location.map { "\($0): " } ?? "") + error.message + "\n").utf8))
                for frame in error.traceback.dropFirst() {
                    FileHandle.standardError.write(Data("    \(frame)\n".utf8))
                }
                throw ExitCode(1)
            }
        }
    }
}
