@testable import Notifiers
import Foundation
import Testing

@Suite("SMTP message rendering: headers, encoded subject, CRLF, quoted-printable, dot-stuffing, injection")
struct SmtpMessageTests {
    static let date = Date(timeIntervalSince1970: 1_772_107_200)  // 2026-02-26 12:00:00 UTC, a Thursday

    static func render(_ message: SmtpMessage, from: String = "mailmon@example.com") throws -> String {
        String(decoding: try message.rendered(from: from, heloName: "mon.example", date: date, messageID: "<id-1@mon.example>"), as: UTF8.self)
    }

    static func headerBlock(_ text: String) -> String {
        String(text[..<(text.range(of: "\r\n\r\n")?.lowerBound ?? text.endIndex)])
    }

    @Test("the headers: Date in UTC, From, To, Subject, Message-ID, MIME")
    func headers() throws {
        let text = try Self.render(SmtpMessage(to: ["a@example.com", "b@example.com"], subject: "Monitor down", body: "hello"))
        #expect(Self.headerBlock(text).components(separatedBy: "\r\n") == [
            "Date: Thu, 26 Feb 2026 12:00:00 +0000",
            "From: mailmon@example.com",
            "To: a@example.com, b@example.com",
            "Subject: Monitor down",
            "Message-ID: <id-1@mon.example>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ])
        #expect(text.hasSuffix("\r\n\r\nhello\r\n"))
        let single = String(decoding: try SmtpMessage(to: ["a@example.com"], subject: "s", body: "b")
            .rendered(from: "m@example.com", heloName: "mon.example", date: Date(timeIntervalSince1970: 1_772_355_907)), as: UTF8.self)
        #expect(single.contains("Date: Sun, 01 Mar 2026 09:05:07 +0000\r\n"))
        #expect(single.range(of: #"Message-ID: <[0-9a-f-]{36}@mon\.example>\r\n"#, options: .regularExpression) != nil)
    }

    @Test("a non-ASCII subject becomes RFC 2047 encoded-words that decode back, each within 75 characters")
    func encodedSubject() throws {
        let short = try Self.render(SmtpMessage(to: ["a@example.com"], subject: "Störung", body: ""))
        #expect(short.contains("\r\nSubject: =?utf-8?B?U3TDtnJ1bmc=?=\r\n"))

        let subject = String(repeating: "Überwachung fehlgeschlagen – Postfach ☃ ", count: 4)
        let header = try #require(Self.headerBlock(try Self.render(SmtpMessage(to: ["a@example.com"], subject: subject, body: "")))
            .components(separatedBy: "\r\nSubject: ").last?.components(separatedBy: "\r\nMessage-ID").first)
        let words = header.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = Data()
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?utf-8?B?") && word.hasSuffix("?="))
            decoded += try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
        }
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
    }

    @Test("every line ends in CRLF: LF, CR and CRLF in the body are normalized")
    func crlf() throws {
        let bytes = try SmtpMessage(to: ["a@example.com"], subject: "s", body: "one\ntwo\r\nthree\rfour\n")
            .rendered(from: "m@example.com", heloName: "h", date: Self.date, messageID: "<x@h>")
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A { #expect(index > 0 && bytes[index - 1] == 0x0D) }
            if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A) }
        }
        #expect(String(decoding: bytes, as: UTF8.self).hasSuffix("\r\n\r\none\r\ntwo\r\nthree\r\nfour\r\n"))
    }

    @Test("the body is quoted-printable: UTF-8 and '=' escaped, lines within 76 characters, trailing space kept")
    func quotedPrintable() throws {
        let body = "Grüße = 100% \n" + String(repeating: "x", count: 200)
        let text = try Self.render(SmtpMessage(to: ["a@example.com"], subject: "s", body: body))
        let lines = text.components(separatedBy: "\r\n\r\n")[1].components(separatedBy: "\r\n")
        #expect(lines[0] == "Gr=C3=BC=C3=9Fe =3D 100%=20")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.dropFirst().joined().replacingOccurrences(of: "=", with: "") == String(repeating: "x", count: 200))
        #expect(text.utf8.allSatisfy { $0 < 0x80 })
    }

    @Test("DATA payload: lines starting with '.' are dot-stuffed and the message ends with CRLF.CRLF")
    func dotStuffing() throws {
        let rendered = try SmtpMessage(to: ["a@example.com"], subject: "s", body: ".hidden\n.\nend")
            .rendered(from: "m@example.com", heloName: "h", date: Self.date, messageID: "<x@h>")
        let payload = String(decoding: DotStuffing.dataPayload(rendered), as: UTF8.self)
        #expect(payload.hasSuffix("\r\n\r\n..hidden\r\n..\r\nend\r\n.\r\n"))
        #expect(String(decoding: DotStuffing.dataPayload(Array("a\r\n.b".utf8)), as: UTF8.self) == "a\r\n..b\r\n.\r\n")
    }

    @Test("CR or LF in a subject, recipient, sender or heloName is refused (header injection)")
    func headerInjection() {
        let cases: [(SmtpMessage, String, String, SmtpError.Kind)] = [
            (SmtpMessage(to: ["a@example.com"], subject: "hi\r\nBcc: victim@example.com", body: ""), "m@example.com", "h", .invalidMessage),
            (SmtpMessage(to: ["a@example.com"], subject: "hi\nBcc: victim@example.com", body: ""), "m@example.com", "h", .invalidMessage),
            (SmtpMessage(to: ["a@example.com\r\nBcc: v@example.com"], subject: "s", body: ""), "m@example.com", "h", .invalidMessage),
            (SmtpMessage(to: ["a@example.com"], subject: "s", body: ""), "m@example.com\nBcc: v@example.com", "h", .configuration),
            (SmtpMessage(to: ["a@example.com"], subject: "s", body: ""), "m@example.com", "h\r\nX: y", .configuration),
        ]
        for (message, from, helo, kind) in cases {
            let error = #expect(throws: SmtpError.self) { try message.rendered(from: from, heloName: helo) }
            #expect(error?.kind == kind)
            #expect(error.map { $0.message.contains("line break") || $0.message.contains("injection") } == true)
            #expect(error?.message.contains("\n") == false)
        }
    }

    @Test("no recipients, or something that is no bare address, is refused")
    func badAddresses() {
        for to in [[], ["not-an-address"], ["Ops <ops@example.com>"], ["a@example.com, b@example.com"], ["ü@example.com"]] {
            let error = #expect(throws: SmtpError.self) { try SmtpMessage(to: to, subject: "s", body: "").rendered(from: "m@example.com", heloName: "h") }
            #expect(error?.kind == .invalidMessage)
        }
    }

    @Test("relay settings decode with defaults; security uses the raw values plain, starttls, tls; no password in descriptions")
    func relayCodable() throws {
        let relay = try JSONDecoder().decode(
            SmtpRelay.self, from: Data(#"{"host":"smtp.example","port":465,"security":"tls","from":"m@example.com","password":"hunter2","username":"u"}"#.utf8))
        #expect(relay == SmtpRelay(host: "smtp.example", port: 465, security: .tls, username: "u", password: "hunter2", from: "m@example.com"))
        #expect(relay.heloName == "mailmon" && relay.timeoutSeconds == 30 && relay.rejectUnauthorized && relay.caFile == nil)
        #expect(SmtpSecurity.allCases.map(\.rawValue) == ["plain", "starttls", "tls"])
        #expect(!"\(relay)".contains("hunter2") && !String(reflecting: relay).contains("hunter2"))
        let again = try JSONDecoder().decode(SmtpRelay.self, from: try JSONEncoder().encode(relay))
        #expect(again == relay)
    }
}
