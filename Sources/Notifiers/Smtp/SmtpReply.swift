/// One complete SMTP reply (RFC 5321, 4.2): a code and the text of each line.
struct SmtpReply: Sendable, Hashable {
    var code: Int
    var lines: [String]

    init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// `550 5.1.1 no such user`, lines joined with spaces.
    var text: String {
        ([String(code)] + lines.filter { !$0.isEmpty }).joined(separator: " ")
    }
}

/// Gathers reply lines (`250-…` continues, `250 …` or `250` ends) into replies.
struct SmtpReplyReader: Sendable {
    enum Outcome: Sendable, Hashable {
        case incomplete
        case complete(SmtpReply)
        case invalid(String)
    }

    let maxLines: Int
    private var code: Int?
    private var lines: [String] = []

    init(maxLines: Int) {
        self.maxLines = maxLines
    }

    mutating func add(_ line: [UInt8]) -> Outcome {
        guard let (code, isLast, text) = Self.parse(line) else {
            return .invalid("not an SMTP reply: \(HeaderText.printable(String(decoding: line.prefix(120), as: UTF8.self)))")
        }
        if let expected = self.code, expected != code {
            return .invalid("a multi-line reply changed its code from \(expected) to \(code)")
        }
        self.code = code
        lines.append(text)
        if isLast {
            let reply = SmtpReply(code: code, lines: lines)
            self.code = nil
            lines = []
            return .complete(reply)
        }
        return lines.count >= maxLines ? .invalid("a reply longer than \(maxLines) lines") : .incomplete
    }

    /// `250-text`, `250 text` or `250`: the code, whether the reply ends here, the text.
    static func parse(_ line: [UInt8]) -> (code: Int, isLast: Bool, text: String)? {
        guard line.count >= 3 else { return nil }
        let digits = line.prefix(3).map { Int($0) - 0x30 }
        guard (2...5).contains(digits[0]), (0...5).contains(digits[1]), (0...9).contains(digits[2]) else { return nil }
        let code = digits[0] * 100 + digits[1] * 10 + digits[2]
        if line.count == 3 { return (code, true, "") }
        let separator = line[3]
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else { return nil }
        let text = String(decoding: line.dropFirst(4), as: UTF8.self)
        return (code, separator == UInt8(ascii: " "), text)
    }
}
