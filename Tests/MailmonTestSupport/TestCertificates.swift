import Foundation

/// Certificates made with `openssl` once per test process: a test CA, a valid
/// leaf it signed (CN=localhost, SAN localhost and 127.0.0.1) and an expired
/// leaf it signed (2020-01-01 to 2021-01-01), and a self-signed one.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }
    public func certificate(_ kind: Kind) -> String { "\(directory)/\(kind.rawValue).pem" }
    public func key(_ kind: Kind) -> String { "\(directory)/\(kind.rawValue).key" }

    /// `wrongName`: valid and trusted, but for mail.other.example only. `selfSigned`: for
    /// localhost and 127.0.0.1, signed by its own key (no CA).
    public enum Kind: String, Sendable { case valid, expired, wrongName, selfSigned }

    /// Made on first use, shared by every suite in the process.
    public static func shared() throws -> TestCertificates {
        try cache.withLock { cached in
            if let cached { return cached }
            let made = try make()
            cached = made
            return made
        }
    }

    private static let cache = LockedValue<TestCertificates?>(nil)

    private static func make() throws -> TestCertificates {
        let directory = try TemporaryDirectory.make(prefix: "mm-certs-")
        let caConfig = """
            [ ca ]
            default_ca = testca
            [ testca ]
            dir = \(directory)/ca-db
            database = $dir/index.txt
            new_certs_dir = $dir/newcerts
            serial = $dir/serial
            certificate = \(directory)/ca.pem
            private_key = \(directory)/ca.key
            default_md = sha256
            policy = pol_any
            x509_extensions = leaf_ext
            unique_subject = no
            [ pol_any ]
            commonName = supplied
            [ leaf_ext ]
            basicConstraints = CA:FALSE
            keyUsage = digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1
            [ other_ext ]
            basicConstraints = CA:FALSE
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:mail.other.example

            """
        try FileManager.default.createDirectory(atPath: directory + "/ca-db/newcerts", withIntermediateDirectories: true)
        try "".write(toFile: directory + "/ca-db/index.txt", atomically: true, encoding: .utf8)
        try "1000\n".write(toFile: directory + "/ca-db/serial", atomically: true, encoding: .utf8)
        try caConfig.write(toFile: directory + "/ca.cnf", atomically: true, encoding: .utf8)
        let d = directory
        try run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
                "-keyout", "\(d)/ca.key", "-out", "\(d)/ca.pem", "-subj", "/CN=mailmon test CA")
        let kinds: [(String, String, [String])] = [
            ("valid", "localhost", ["-days", "3650"]),
            ("expired", "localhost", ["-startdate", "20200101000000Z", "-enddate", "20210101000000Z"]),
            ("wrongName", "mail.other.example", ["-days", "3650", "-extensions", "other_ext"]),
        ]
        for (kind, name, options) in kinds {
            try run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(d)/\(kind).key", "-out", "\(d)/\(kind).csr",
                    "-subj", "/CN=\(name)")
            try run(["ca", "-batch", "-notext", "-config", "\(d)/ca.cnf", "-in", "\(d)/\(kind).csr", "-out", "\(d)/\(kind).pem"] + options)
        }
        try run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
                "-keyout", "\(d)/selfSigned.key", "-out", "\(d)/selfSigned.pem", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
        return TestCertificates(directory: directory)
    }

    private static func run(_ arguments: String...) throws { try run(arguments) }

    private static func run(_ arguments: [String]) throws {
        let status = try Subprocess.run("/usr/bin/openssl", arguments)
        guard status == 0 else {
            throw TestSupportError("openssl \(arguments.prefix(2).joined(separator: " ")) failed with \(status)")
        }
    }
}
