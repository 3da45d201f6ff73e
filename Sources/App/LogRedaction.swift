import Foundation
public import Logging
import Synchronization

/// The secrets this process was given (its settings' tokens, passwords and keys): registered as
/// they are read, and cut from every log line (`RedactingLogHandler`).
public final class KnownSecrets: Sendable {
    public static let shared = KnownSecrets()

    /// Shorter values are not secrets worth the name and would cut ordinary words.
    static let minimumLength = 6
    private let values = Mutex<[String]>([])

    public init() {}

    public func register(_ secret: String?) {
        guard let secret, secret.count >= Self.minimumLength else { return }
        values.withLock { if !$0.contains(secret) { $0.append(secret) } }
    }

    var all: [String] { values.withLock { $0 } }
}

/// What a log line must not carry: the known secrets, API tokens (`mm_…`), bearer credentials,
/// the password of a URL (`https://user:pass@host`) and the value of a key named like a secret
/// (`password=…`, `"token": "…"`, `client_secret: …`). Each is replaced by `[redacted]`.
public struct LogRedaction: Sendable {
    public static let mark = "[redacted]"
    let known: KnownSecrets

    public init(known: KnownSecrets = .shared) {
        self.known = known
    }

    private static let patterns: [(NSRegularExpression, String)] = [
        (#"mm_[A-Za-z0-9_-]{40}"#, mark),
        (#"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"#, "$1 " + mark),
        (#"(://[^/\s:@]+:)[^@/\s]+@"#, "$1" + mark + "@"),
        (
            #"(?i)(["']?\b(?:password|passwd|pass|secret|client_secret|token|access_token|refresh_token|api_?key|authorization)["']?\s*[:=]\s*["']?)([^"'\s,;&}]+)"#,
            "$1" + mark
        ),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    public func redact(_ text: String) -> String {
        var result = text
        for secret in known.all where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mark)
        }
        for (pattern, template) in Self.patterns {
            let range = NSRange(result.startIndex..., in: result)
            guard pattern.firstMatch(in: result, range: range) != nil else { continue }
            result = pattern.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }

    func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): .string(redact(text))
        case .stringConvertible(let convertible): .string(redact(convertible.description))
        case .array(let values): .array(values.map(redact))
        case .dictionary(let entries): .dictionary(entries.mapValues(redact))
        }
    }
}

/// Wraps the process's log handler: the message, every metadata value (the logger's, its
/// provider's and the event's) and an attached error pass through `LogRedaction` first. It holds
/// the logger's metadata itself, so nothing reaches the inner handler unredacted.
public struct RedactingLogHandler<Inner: LogHandler>: LogHandler {
    var inner: Inner
    let redaction: LogRedaction
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(_ inner: Inner, redaction: LogRedaction = LogRedaction()) {
        var inner = inner
        metadata = inner.metadata
        metadataProvider = inner.metadataProvider
        inner.metadata = [:]
        inner.metadataProvider = nil
        self.inner = inner
        self.redaction = redaction
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error {
            merged["error"] = .string("\(error)")
            event.error = nil
        }
        event.metadata = merged.isEmpty ? nil : merged.mapValues(redaction.redact)
        event.message = Logger.Message(stringLiteral: redaction.redact(event.message.description))
        inner.log(event: event)
    }
}
