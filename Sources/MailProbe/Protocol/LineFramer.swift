/// Splits a server's byte stream into lines, bounded by `ProtocolLimits`.
///
/// Lines end in CRLF (a bare LF is accepted). With `imapLiterals`, a line
/// ending in `{n}` or `{n+}` continues with the next n bytes verbatim and then
/// up to the next line end, as one logical response line (RFC 9051, 4.3).
public struct LineFramer: Sendable {
    public enum Violation: Error, Sendable, Hashable {
        case lineTooLong
        case literalTooLarge
        case tooMuchData
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    private var literalRemaining = 0
    private var lineStart = 0
    private var received = 0
    public let limits: ProtocolLimits
    public let imapLiterals: Bool

    public init(limits: ProtocolLimits = ProtocolLimits(), imapLiterals: Bool) {
        self.limits = limits
        self.imapLiterals = imapLiterals
    }

    public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) throws(Violation) {
        let before = buffer.count
        buffer.append(contentsOf: bytes)
        received += buffer.count - before
        guard received <= limits.maxTotalBytes else { throw .tooMuchData }
    }

    /// The next complete line without its line end, or nil until more bytes arrive.
    public mutating func nextLine() throws(Violation) -> [UInt8]? {
        while scanned < buffer.count {
            if literalRemaining > 0 {
                let take = min(literalRemaining, buffer.count - scanned)
                scanned += take
                literalRemaining -= take
                continue
            }
            if buffer[scanned] == UInt8(ascii: "\n") {
                var end = scanned
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if imapLiterals, let size = try literalSize(endingAt: end) {
                    literalRemaining = size
                    scanned += 1
                    continue
                }
                let line = Array(buffer[start..<end])
                scanned += 1
                start = scanned
                compact()
                return line
            }
            scanned += 1
            if currentSegmentLength > limits.maxLineBytes { throw .lineTooLong }
        }
        return nil
    }

    private var currentSegmentLength: Int { scanned - max(start, lineStart) }

    /// `{n}` or `{n+}` right before `end`, checked against the literal limit.
    private mutating func literalSize(endingAt end: Int) throws(Violation) -> Int? {
        guard end > start, buffer[end - 1] == UInt8(ascii: "}") else { return nil }
        var index = end - 2
        if index >= start, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") { index -= 1 }
        var value = 0
        var digits = 0
        var multiplier = 1
        while index >= start, buffer[index] >= UInt8(ascii: "0"), buffer[index] <= UInt8(ascii: "9") {
            value += Int(buffer[index] - UInt8(ascii: "0")) * multiplier
            multiplier *= 10
            digits += 1
            index -= 1
            guard digits <= 10 else { throw .literalTooLarge }
        }
        guard digits > 0, index >= start, buffer[index] == UInt8(ascii: "{") else { return nil }
        guard value <= limits.maxLiteralBytes else { throw .literalTooLarge }
        lineStart = scanned + 1 + value
        return value
    }

    private mutating func compact() {
        if start > 4096, start * 2 > buffer.count {
            buffer.removeFirst(start)
            scanned -= start
            lineStart = max(0, lineStart - start)
            start = 0
        }
    }
}
