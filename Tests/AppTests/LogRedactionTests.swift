import App
import Foundation
import Logging
import Synchronization
import Testing

/// Every log line passes through `LogRedaction`: known secrets, API tokens, bearer credentials,
/// URL passwords and secret-named values are cut from the message, the metadata and errors.
@Suite("Log redaction")
struct LogRedactionTests {
    final class Lines: Sendable {
        let captured = Mutex<[String]>([])
        var all: String { captured.withLock { $0.joined() } }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func logger(_ known: KnownSecrets, into lines: Lines) -> Logger {
        let json = JSONLogHandler(label: "test") { bytes in lines.captured.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
        return Logger(label: "test") { _ in RedactingLogHandler(json, redaction: LogRedaction(known: known)) }
    }

    @Test("patterns: API tokens, bearer and basic credentials, URL passwords, secret-named keys in text, JSON and query strings")
    func patterns() {
        let redaction = LogRedaction(known: KnownSecrets())
        let token = "mm_" + String(repeating: "Ab3_", count: 10)
        let cases: [(String, String)] = [
            ("token \(token) used", "token [redacted] used"),
            ("Authorization: Bearer abcdefgh12345678", "Authorization: [redacted] [redacted]"),
            ("relay smtp://alerts:S3cr3t-pw@mail.example.com:587", "relay smtp://alerts:[redacted]@mail.example.com:587"),
            (#"config {"user":"u","password":"hunter2-long"}"#, #"config {"user":"u","password":"[redacted]"}"#),
            ("login user=bob password=hunter2-long next", "login user=bob password=[redacted] next"),
            ("https://hooks.example.com/x?api_key=K3Y-VALUE&x=1", "https://hooks.example.com/x?api_key=[redacted]&x=1"),
            ("client_secret: abc.def-ghi", "client_secret: [redacted]"),
        ]
        for (input, expected) in cases {
            #expect(redaction.redact(input) == expected, "\(input)")
        }
        // Ordinary lines are left alone.
        for plain in ["check passed in 12 ms", "incident opened: auth_failed", "monitor 5fbc8859-1425-4ad0-86e3-abb55c7cab32 is down"] {
            #expect(redaction.redact(plain) == plain)
        }
    }

    @Test("a registered secret is cut wherever it appears: message, event metadata, the logger's metadata, nested values and errors")
    func knownSecretsEverywhere() throws {
        let known = KnownSecrets()
        let secret = "relay-Pa55word!"
        known.register(secret)
        known.register("short")  // too short to be registered
        let lines = Lines()
        var logger = Self.logger(known, into: lines)
        logger[metadataKey: "relay"] = "user:\(secret)"
        logger.info("sending with \(secret)", metadata: ["nested": .dictionary(["list": .array([.string("x\(secret)y")])])])
        logger.error("delivery failed", error: Failure(description: "server said: bad credentials \(secret)"))
        logger.info("a short word stays")
        let text = lines.all
        #expect(!text.contains(secret), "\(text)")
        #expect(text.contains("sending with [redacted]") && text.contains("x[redacted]y") && text.contains("bad credentials [redacted]"))
        #expect(text.contains("a short word stays"))
        // Every line is still one JSON object.
        for line in text.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
        }
    }
}
