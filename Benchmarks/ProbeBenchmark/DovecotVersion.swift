import Foundation

/// `dovecot --version`, for the header.
nonisolated func dovecotVersion() -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/sbin/dovecot")
    process.arguments = ["--version"]
    let pipe = Pipe()
    process.standardOutput = pipe
    guard (try? process.run()) != nil else { return "Dovecot" }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return "Dovecot " + String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
