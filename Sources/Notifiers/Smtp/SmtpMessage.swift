public import Foundation
import Domain

/// One plain-text alert e-mail. The sender comes from the relay settings.
public struct SmtpMessage: Sendable, Hashable {
    /// Bare addresses (`ops@example.com`), used for RCPT TO and the To header.
    public var to: [String]
    public var subject: String
    /// Plain text; any line ending (LF, CR, CRLF) becomes CRLF.
    public var body: String

    public init(to: [String], subject: String, body: String) {
        self.to = to
        self.subject = subject
        self.body = body
    }

    /// The message as RFC 5322 bytes (CRLF line ends, not dot-stuffed; see `DotStuffing`):
    /// UTF-8 text in quoted-printable, so it travels through relays without 8BITMIME.
    /// Throws `invalid_message` or `configuration` for anything that could inject a header.
    public func rendered(from sender: String, heloName: String, date: Date = Date(), messageID: String? = nil) throws(SmtpError) -> [UInt8] {
        try validate(from: sender, heloName: heloName)
        let messageID = messageID ?? "<\(UUID().lowercasedString)@\(heloName)>"
        if let problem = HeaderText.problem(with: messageID) { throw SmtpError(.invalidMessage, "the Message-ID \(problem)") }
        let recipients = to.joined(separator: ", ")
        let headers = [
            "Date: " + MessageDate.format(date),
            "From: " + sender,
            "To: " + (recipients.utf8.count > 900 ? to.joined(separator: ",\r\n ") : recipients),
            "Subject: " + EncodedWord.headerText(subject),
            "Message-ID: " + messageID,
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        var bytes = Array((headers.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        let lines = Self.lines(of: body)
        if !lines.isEmpty {
            bytes += QuotedPrintable.encode(lines: lines)
            bytes += [0x0D, 0x0A]
        }
        return bytes
    }

    /// Everything `rendered` refuses, checked before any connection is made.
    func validate(from sender: String, heloName: String) throws(SmtpError) {
        guard !to.isEmpty else { throw SmtpError(.invalidMessage, "the message has no recipients") }
        for (index, address) in to.enumerated() {
            if let problem = SmtpAddress.problem(with: address) {
                throw SmtpError(.invalidMessage, "recipient \(index + 1) (\(HeaderText.printable(address))) \(problem)")
            }
        }
        try SmtpRelay.validateSender(from: sender, heloName: heloName)
        if HeaderText.hasLineBreak(subject) {
            throw SmtpError(.invalidMessage, "the subject contains a line break (header injection refused)")
        }
    }

    /// The body split at CRLF, LF or a lone CR, without a trailing empty line.
    static func lines(of text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = [[]]
        var previous: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case 0x0A where previous == 0x0D: break
            case 0x0A, 0x0D: lines.append([])
            default: lines[lines.count - 1].append(byte)
            }
            previous = byte
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }
}
