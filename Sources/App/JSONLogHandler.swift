import Domain
import Foundation
import JSONText
public import Logging

/// `--log-format json`: one JSON object a line on standard error, with `time` (RFC 3339, UTC),
/// `level`, `label`, `message`, `source` and every metadata key at the top level (a key that
/// would clash with those gets a `meta_` prefix). For journald, Loki or any shipper that reads JSON lines.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: @Sendable ([UInt8]) -> Void

    public init(label: String, sink: @escaping @Sendable ([UInt8]) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        let source = event.source
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: #"{"time":"#.utf8)
        JSONStringEscaping.appendQuoted(Timestamp.format(Date()), to: &bytes)
        for (key, value) in [("level", level.rawValue), ("label", label), ("message", message.description), ("source", source)] {
            bytes.append(contentsOf: #",""#.utf8)
            bytes.append(contentsOf: key.utf8)
            bytes.append(contentsOf: #"":"#.utf8)
            JSONStringEscaping.appendQuoted(value, to: &bytes)
        }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            bytes.append(UInt8(ascii: ","))
            JSONStringEscaping.appendQuoted(Self.reserved.contains(key) ? "meta_" + key : key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            Self.append(value, to: &bytes)
        }
        bytes.append(contentsOf: "}\n".utf8)
        sink(bytes)
    }

    static let reserved: Set<String> = ["time", "level", "label", "message", "source"]

    static func append(_ value: Logger.Metadata.Value, to bytes: inout [UInt8]) {
        switch value {
        case .string(let text): JSONStringEscaping.appendQuoted(text, to: &bytes)
        case .stringConvertible(let convertible): JSONStringEscaping.appendQuoted(convertible.description, to: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                append(value, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let values):
            bytes.append(UInt8(ascii: "{"))
            for (index, (key, value)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONStringEscaping.appendQuoted(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                append(value, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Writes each line whole with one `write(2)` (lines from different threads never interleave).
    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}

/// How `mailmon` writes its log: `text` (swift-log's stream format) or `json` (`JSONLogHandler`).
public enum LogFormat: String, Sendable, CaseIterable, Codable {
    case text, json

    /// Installs the format for the whole process (once, before the first logger is made); every
    /// line passes through `LogRedaction` first.
    public func bootstrap(level: Logger.Level) {
        switch self {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return RedactingLogHandler(handler)
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return RedactingLogHandler(handler)
            }
        }
    }
}
