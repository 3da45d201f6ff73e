/// A bare mailbox address (`local@domain`) as MAIL FROM, RCPT TO and the
/// From/To headers carry it. ASCII only: mailmon does not use SMTPUTF8.
enum SmtpAddress {
    /// Why `address` cannot be sent, or nil.
    static func problem(with address: String) -> String? {
        if let problem = HeaderText.problem(with: address) { return problem }
        if address.utf8.count > 254 { return "is longer than 254 bytes" }
        if address.contains(where: { "<>,;\"()[]\\".contains($0) }) {
            return "contains <, >, a comma or another special character; give a bare address such as ops@example.com"
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            return "is not an address of the form local@domain"
        }
        return nil
    }
}
