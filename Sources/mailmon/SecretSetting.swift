public import App
public import ArgumentParser
import Foundation

/// A secret setting: the variable, else the variable's `_FILE` twin, else the file key's file,
/// else the value in the config file. A file's first line is the secret (trailing spaces and
/// newline dropped); a file that cannot be read stops the process with its path.
enum SecretSetting {
    /// The secret, also registered with `KnownSecrets` so that no log line shows it.
    static func resolve(variable: String, environment: [String: String], fileKey: String?, value: String?) throws -> String? {
        let secret = try unregistered(variable: variable, environment: environment, fileKey: fileKey, value: value)
        KnownSecrets.shared.register(secret)
        return secret
    }

    private static func unregistered(variable: String, environment: [String: String], fileKey: String?, value: String?) throws -> String? {
        if let secret = environment[variable] { return secret }
        if let path = environment[variable + "_FILE"] { return try read(path, source: variable + "_FILE") }
        if let fileKey { return try read(fileKey, source: "the config file") }
        return value
    }

    static func read(_ path: String, source: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read the secret file \(path) (from \(source)): \(error.localizedDescription)")
        }
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: .whitespaces)
    }
}

/// `HOST:PORT` (an IPv6 host in brackets: `[::1]:9101`).
enum ListenAddress {
    static func parse(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            throw ConfigurationError("a listen address is HOST:PORT with a port 1-65535, not \(text)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigurationError("a listen address is HOST:PORT, not \(text)") }
        return (host, port)
    }
}

extension LogFormat: ExpressibleByArgument {}
