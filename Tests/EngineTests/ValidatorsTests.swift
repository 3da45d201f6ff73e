import SQLiteStore
import Domain
import Notifiers
import App
import Engine
import Testing

/// The checks behind `mailmon.validate.*`, case by case: each message the API passes on.
@Suite struct ValidatorsTests {
    static let hostnames: [(String, String?)] = [
        ("mail.example.com", nil),
        ("Mail.Example.COM", nil),
        ("mail.example.com.", nil),
        ("localhost", nil),
        ("xn--bcher-kva.example", nil),
        ("192.0.2.1", nil),
        ("2001:db8::1", nil),
        ("[2001:db8::1]", nil),
        ("::1", nil),
        ("", "hostname is empty"),
        (String(repeating: "a", count: 254), "hostname is longer than 253 characters"),
        ("imaps://mail.example.com", "hostname must not contain a scheme (like imaps://)"),
        ("mail.example.com/inbox", "hostname must not contain a path"),
        ("/", "hostname must not contain a path"),
        ("mail example.com", "hostname must not contain spaces"),
        ("mail.example.com\r\n", "hostname must not contain spaces"),
        ("mail.example.com\t", "hostname must not contain spaces"),
        ("mail.example.com:993", "hostname must not contain a port"),
        ("[mail.example.com]:993", "hostname must not contain a port"),
        ("192.0.2.1:993", "hostname must not contain a port"),
        ("mail..example.com", "hostname has an empty or too long label"),
        (".", "hostname has an empty or too long label"),
        (".example.com", "hostname has an empty or too long label"),
        (String(repeating: "a", count: 64) + ".com", "hostname has an empty or too long label"),
        (String(repeating: "a", count: 63) + ".com", nil),
        ("mail_box.example.com", "hostname may contain only letters, digits, hyphens and dots"),
        ("bücher.example", "hostname may contain only letters, digits, hyphens and dots"),
        ("-mail.example.com", "a hostname label may not start or end with a hyphen"),
        ("mail-.example.com", "a hostname label may not start or end with a hyphen"),
        ("mail.example.123", "hostname is not a valid IPv4 address"),
        ("999.1.1.1", "hostname is not a valid IPv4 address"),
        ("1.2.3", "hostname is not a valid IPv4 address"),
        ("123.example.com", nil),
    ]

    @Test(arguments: hostnames)
    func hostname(_ text: String, problem: String?) {
        #expect(Validators.hostnameProblem(text) == problem, "\(text.debugDescription)")
    }

    @Test func uuids() {
        #expect(Validators.isUUID("9b2c1c52-5d2f-4d9a-8a3e-2f1b7c3d4e5f"))
        #expect(Validators.isUUID("9B2C1C52-5D2F-4D9A-8A3E-2F1B7C3D4E5F"))
        #expect(!Validators.isUUID("9b2c1c525d2f4d9a8a3e2f1b7c3d4e5f"))
        #expect(!Validators.isUUID("9b2c1c52-5d2f-4d9a-8a3e-2f1b7c3d4e5g"))
        #expect(!Validators.isUUID("9b2c1c52-5d2f-4d9a-8a3e-2f1b7c3d4e5f0"))
        #expect(!Validators.isUUID("9b2c1c52+5d2f-4d9a-8a3e-2f1b7c3d4e5f"))
        #expect(!Validators.isUUID(""))
    }

    @Test func emails() {
        #expect(Validators.isEmail("ops@example.com"))
        #expect(Validators.isEmail("first.last+tag@mail.example.co.uk"))
        #expect(!Validators.isEmail("ops@localhost"))
        #expect(!Validators.isEmail("a@b@example.com"))
        #expect(!Validators.isEmail("@example.com"))
        #expect(!Validators.isEmail("ops @example.com"))
        #expect(!Validators.isEmail("ops@exa mple.com"))
        #expect(!Validators.isEmail("ops@example.com\n"))
        #expect(!Validators.isEmail(String(repeating: "a", count: 65) + "@example.com"))
        #expect(!Validators.isEmail("ops@-example.com"))
        #expect(!Validators.isEmail("ops.example.com"))
    }
}
