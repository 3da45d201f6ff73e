public import Foundation

/// A throwaway Dovecot (Debian's dovecot-imapd/pop3d) on loopback high ports,
/// configured from a temporary directory; see docs/dev/dovecot-test-recipe.md.
/// Users: `alice`/`secret` and `odd` with a password of spaces, quotes, a
/// backslash and non-ASCII; three messages each. `stop()` and `start()` may be
/// called repeatedly (the ports stay the same), so tests can take it down and back.
public final class DovecotServer: Sendable {
    public struct Ports: Sendable {
        public let imap: Int, imaps: Int, pop3: Int, pop3s: Int
        var all: [Int] { [imap, imaps, pop3, pop3s] }
    }

    public static let oddPassword = "pä ss \"q\" \\x"
    public static let users = ["alice": "secret", "odd": oddPassword]
    public static let messagesPerUser = 3

    public let directory: String
    public let ports: Ports
    public let certificates: TestCertificates

    /// Starts an instance serving the given certificate (signed by `certificates.caFile`). With
    /// `oauth2Introspection`, `alice` may also log in with XOAUTH2 or OAUTHBEARER: Dovecot's `oauth2`
    /// passdb asks that URL (`POST token=…`) whether a token is active and whose it is.
    public static func start(certificate: TestCertificates.Kind = .valid, oauth2Introspection: String? = nil) throws -> DovecotServer {
        let certificates = try TestCertificates.shared()
        var lastError: (any Error)?
        for _ in 0..<5 {
            let ports = try FreePorts.take(4)
            let server = try DovecotServer(
                certificates: certificates, certificate: certificate, oauth2Introspection: oauth2Introspection,
                ports: Ports(imap: ports[0], imaps: ports[1], pop3: ports[2], pop3s: ports[3]))
            do {
                try server.start()
                ProcessCleanup.register(server.directory)
                return server
            } catch {
                lastError = error  // a port was taken in between: try others
                server.stop()
            }
        }
        throw lastError ?? TestSupportError("dovecot did not start")
    }

    private init(certificates: TestCertificates, certificate: TestCertificates.Kind, oauth2Introspection: String?, ports: Ports) throws {
        self.certificates = certificates
        self.ports = ports
        directory = try TemporaryDirectory.make(prefix: "mm-dc-")
        try writeConfiguration(certificate: certificate, oauth2Introspection: oauth2Introspection)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var pidFile: String { directory + "/run/master.pid" }

    /// Launches the master and waits until the pid file exists and all four ports accept.
    public func start() throws {
        // The daemonized master keeps stderr open for its lifetime: a file, never a pipe.
        let status = try Subprocess.run("/usr/sbin/dovecot", ["-c", directory + "/dovecot.conf"], stderrPath: directory + "/startup.err")
        guard status == 0 else {
            let log = (try? String(contentsOfFile: directory + "/startup.err", encoding: .utf8)) ?? ""
            throw TestSupportError("dovecot exited with \(status): \(log)")
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if masterPID != nil, ports.all.allSatisfy(FreePorts.accepts) { return }
            usleep(5_000)
        }
        throw TestSupportError("dovecot did not become ready; log: \(log)")
    }

    /// Kills the whole process group at once (SIGTERM would take a second) and waits for the ports to close.
    public func stop() {
        guard let pid = masterPID else { return }
        killpg(pid, SIGKILL)
        try? FileManager.default.removeItem(atPath: pidFile)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, ports.all.contains(where: FreePorts.accepts) { usleep(2_000) }
    }

    public var masterPID: pid_t? { Self.readPID(pidFile) }

    static func readPID(_ path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        return pid
    }

    public var log: String { (try? String(contentsOfFile: directory + "/dovecot.log", encoding: .utf8)) ?? "" }

    private func writeConfiguration(certificate: TestCertificates.Kind, oauth2Introspection: String?) throws {
        let d = directory
        let isRoot = getuid() == 0
        for sub in ["run", "state"] { try FileManager.default.createDirectory(atPath: "\(d)/\(sub)", withIntermediateDirectories: true) }
        var config = Self.template
            .replacingOccurrences(of: "@DIR@", with: d)
            .replacingOccurrences(of: "@IMAP@", with: "\(ports.imap)")
            .replacingOccurrences(of: "@IMAPS@", with: "\(ports.imaps)")
            .replacingOccurrences(of: "@POP3@", with: "\(ports.pop3)")
            .replacingOccurrences(of: "@POP3S@", with: "\(ports.pop3s)")
            .replacingOccurrences(of: "@CERT@", with: certificates.certificate(certificate))
            .replacingOccurrences(of: "@KEY@", with: certificates.key(certificate))
        if let oauth2Introspection {
            // The password passdbs take PLAIN and LOGIN only; tokens go to the oauth2 passdb first.
            config = config.replacingOccurrences(of: "auth_mechanisms = plain login", with: "auth_mechanisms = plain login xoauth2 oauthbearer")
                .replacingOccurrences(of: "passdb {\n  driver = passwd-file", with: """
                    passdb {
                      driver = oauth2
                      mechanisms = xoauth2 oauthbearer
                      args = \(d)/dovecot-oauth2.conf.ext
                    }
                    passdb {
                      mechanisms = plain login
                      driver = passwd-file
                    """)
                .replacingOccurrences(of: "passdb {\n  driver = static", with: "passdb {\n  mechanisms = plain login\n  driver = static")
            let oauth = """
                introspection_mode = post
                introspection_url = \(oauth2Introspection)
                username_attribute = username
                active_attribute = active
                active_value = true
                force_introspection = yes
                timeout_msecs = 5000

                """
            try oauth.write(toFile: d + "/dovecot-oauth2.conf.ext", atomically: true, encoding: .utf8)
            chmod(d + "/dovecot-oauth2.conf.ext", 0o644)
        }
        let (uid, gid): (UInt32, UInt32) = isRoot ? (65534, 65534) : (getuid(), getgid())
        if !isRoot {
            let user = String(cString: getpwuid(getuid()).pointee.pw_name)
            let group = String(cString: getgrgid(getgid()).pointee.gr_name)
            config += Self.nonRootTemplate.replacingOccurrences(of: "@USER@", with: user)
                .replacingOccurrences(of: "@GROUP@", with: group)
        }
        try config.write(toFile: d + "/dovecot.conf", atomically: true, encoding: .utf8)
        let users = Self.users.sorted { $0.key < $1.key }
            .map { "\($0.key):{PLAIN}\($0.value):\(uid):\(gid)::\(d)/mail/\($0.key)::" }
            .joined(separator: "\n") + "\n"
        try users.write(toFile: d + "/users", atomically: true, encoding: .utf8)
        chmod(d + "/users", 0o644)
        for user in Self.users.keys {
            for sub in ["cur", "new", "tmp"] {
                try FileManager.default.createDirectory(atPath: "\(d)/mail/\(user)/Maildir/\(sub)", withIntermediateDirectories: true)
            }
            for i in 1...Self.messagesPerUser {
                let message = "From: test@example.com\r\nTo: \(user)@example.com\r\nSubject: test \(i)\r\n"
                    + "Date: Mon, 1 Jan 2024 00:00:0\(i) +0000\r\nMessage-ID: <\(i).\(user)@mailmon>\r\n\r\nbody \(i)\r\n"
                try message.write(toFile: "\(d)/mail/\(user)/Maildir/new/1700000000.M\(i)P1.mailmon", atomically: true, encoding: .utf8)
            }
        }
        if isRoot { try chownRecursively(d + "/mail", uid: uid, gid: gid) }
        // Dovecot reads the key as root or as the owner; keep it private.
        chmod(d, 0o755)
    }

    private func chownRecursively(_ path: String, uid: UInt32, gid: UInt32) throws {
        chown(path, uid, gid)
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let sub = enumerator?.nextObject() as? String { chown(path + "/" + sub, uid, gid) }
    }

    private static let template = """
        protocols = imap pop3
        listen = 127.0.0.1
        base_dir = @DIR@/run
        state_dir = @DIR@/state
        instance_name = mailmon-@IMAP@
        log_path = @DIR@/dovecot.log
        info_log_path = @DIR@/dovecot.log
        debug_log_path = @DIR@/dovecot.log
        first_valid_uid = 1
        ssl = yes
        ssl_cert = <@CERT@
        ssl_key = <@KEY@
        disable_plaintext_auth = no
        auth_mechanisms = plain login
        auth_failure_delay = 0
        mail_location = maildir:~/Maildir
        passdb {
          driver = passwd-file
          args = scheme=PLAIN username_format=%u @DIR@/users
        }
        passdb {
          driver = static
          args = nopassword=y nodelay=yes
          result_success = return-fail
        }
        userdb {
          driver = passwd-file
          args = username_format=%u @DIR@/users
        }
        service imap-login {
          inet_listener imap {
            address = 127.0.0.1
            port = @IMAP@
          }
          inet_listener imaps {
            address = 127.0.0.1
            port = @IMAPS@
            ssl = yes
          }
          service_count = 0
          process_min_avail = 1
          client_limit = 2000
        }
        service pop3-login {
          inet_listener pop3 {
            address = 127.0.0.1
            port = @POP3@
          }
          inet_listener pop3s {
            address = 127.0.0.1
            port = @POP3S@
            ssl = yes
          }
          service_count = 0
          process_min_avail = 1
          client_limit = 2000
        }
        default_process_limit = 1100
        default_client_limit = 4000
        service anvil {
          unix_listener anvil-auth-penalty {
            mode = 0
          }
        }
        protocol imap {
          mail_max_userip_connections = 1000
        }
        protocol pop3 {
          mail_max_userip_connections = 1000
        }

        """

    private static let nonRootTemplate = """
        default_login_user = @USER@
        default_internal_user = @USER@
        default_internal_group = @GROUP@
        service imap-login {
          chroot =
        }
        service pop3-login {
          chroot =
        }
        service anvil {
          chroot =
        }
        service ipc {
          chroot =
        }
        service old-stats {
          chroot =
        }

        """
}

/// Kills every Dovecot this process started when the test process exits, also
/// for servers a suite keeps for its whole run.
enum ProcessCleanup {
    private static let directories = LockedValue<[String]>([])
    private static let installed = LockedValue(false)

    static func register(_ directory: String) {
        directories.withLock { $0.append(directory) }
        installed.withLock { done in
            guard !done else { return }
            done = true
            atexit { ProcessCleanup.killAll() }
        }
    }

    private static func killAll() {
        for directory in directories.withLock({ $0 }) {
            guard let pid = DovecotServer.readPID(directory + "/run/master.pid") else { continue }
            killpg(pid, SIGKILL)
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
