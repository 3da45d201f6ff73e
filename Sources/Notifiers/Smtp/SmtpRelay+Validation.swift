extension SmtpRelay {
    /// Everything `SmtpClient` refuses to start with, as `configuration` errors.
    func validate() throws(SmtpError) {
        guard HeaderText.problem(with: host) == nil else {
            throw SmtpError(.configuration, "host is empty or contains spaces or control characters")
        }
        guard (1...65_535).contains(port) else { throw SmtpError(.configuration, "port \(port) is not in 1...65535") }
        guard timeoutSeconds > 0, timeoutSeconds <= 3_600 else {
            throw SmtpError(.configuration, "timeoutSeconds must be more than 0 and at most 3600")
        }
        try Self.validateSender(from: from, heloName: heloName)
    }

    /// `from` must be a bare address and `heloName` one token: both go into commands and headers.
    static func validateSender(from: String, heloName: String) throws(SmtpError) {
        if let problem = SmtpAddress.problem(with: from) {
            throw SmtpError(.configuration, "from (\(HeaderText.printable(from))) \(problem)")
        }
        if let problem = HeaderText.problem(with: heloName) { throw SmtpError(.configuration, "heloName \(problem)") }
    }
}
