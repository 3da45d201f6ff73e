/// Splits a server's byte stream into lines, bounded by `ProtocolLimits`.
///
/// Lines end in CRLF (a bare LF is accepted). With `imapLiterals`, an untagged
/// data line (`* …`, but not a status response such as `* OK`) ending in `{n}`
/// or `{n+}` continues with the next n bytes verbatim and then up to the next
/// line end, as one logical response line (RFC 9051, 4.3). Status responses and
/// continuations never carry literals (RFC 9051, 9: resp-text), so a `{2}` at
/// the end of a server's text is text. A thrown `Violation` ends the framer.
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
                if end > max(start, lineStart), buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if imapLiterals, lineCarriesLiterals, let size = try literalSize(endingAt: end) {
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
            // The CR before the LF is counted here; the limit excludes it.
            if currentSegmentLength > limits.maxLineBytes + 1 { throw .lineTooLong }
        }
        return nil
    }

    private var currentSegmentLength: Int { scanned - max(start, lineStart) }

    /// Bytes received but not yet returned as lines.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Drops everything buffered and returns how many bytes that was. The driver
    /// calls it when STARTTLS/STLS begins: bytes that arrived in plaintext after
    /// the server's OK must never be read as if they came over TLS.
    public mutating func discardBuffered() -> Int {
        let dropped = buffer.count - start
        buffer.removeAll(keepingCapacity: true)
        start = 0
        scanned = 0
        literalRemaining = 0
        lineStart = 0
        return dropped
    }

    /// Whether the current logical line is untagged data (`* 3 FETCH …`), the only kind with literals.
    private var lineCarriesLiterals: Bool {
        if lineStart > start { return true }  // already continued after a literal
        let line = buffer[start..<scanned]
        guard line.starts(with: [UInt8(ascii: "*"), UInt8(ascii: " ")]) else { return false }
        let word = line.dropFirst(2).prefix { $0 != UInt8(ascii: " ") }
        let status = String(decoding: word, as: UTF8.self).uppercased()
        return !["OK", "NO", "BAD", "BYE", "PREAUTH"].contains(status)
    }

    /// `{n}` or `{n+}` right before `end`, checked against the literal limit.
    private mutating func literalSize(endingAt end: Int) throws(Violation) -> Int? {
        let floor = max(start, lineStart)
        guard end > floor, buffer[end - 1] == UInt8(ascii: "}") else { return nil }
        var index = end - 2
        if index >= floor, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") { index -= 1 }
        var value = 0
        var digits = 0
        var multiplier = 1
        while index >= floor, buffer[index] >= UInt8(ascii: "0"), buffer[index] <= UInt8(ascii: "9") {
            value += Int(buffer[index] - UInt8(ascii: "0")) * multiplier
            multiplier *= 10
            digits += 1
            index -= 1
            guard digits <= 10 else { throw .literalTooLarge }
        }
        guard digits > 0, index >= floor, buffer[index] == UInt8(ascii: "{") else { return nil }
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
