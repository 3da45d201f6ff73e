import Foundation

/// The AUTH exchanges (RFC 4954) for PLAIN (RFC 4616) and LOGIN, and every form
/// of the secret they put on the wire, so no reported text can contain one.
struct SmtpCredentials: Sendable {
    let username: String
    let password: String

    /// `AUTH PLAIN` initial response: base64 of NUL user NUL password.
    var plainResponse: String { Self.base64([0] + Array(username.utf8) + [0] + Array(password.utf8)) }
    var loginUsername: String { Self.base64(Array(username.utf8)) }
    var loginPassword: String { Self.base64(Array(password.utf8)) }

    /// Why these credentials cannot be sent, or nil.
    var problem: String? {
        (username + password).utf8.contains(0) ? "the username or password contains a NUL byte, which AUTH PLAIN cannot carry" : nil
    }

    /// `text` with the password, the PLAIN response and the LOGIN password replaced by `***`.
    func redact(_ text: String) -> String {
        guard !password.isEmpty else { return text }
        let forms = [plainResponse, loginPassword, password].sorted { $0.utf8.count > $1.utf8.count }
        var bytes = Array(text.utf8)
        for form in forms { bytes = Self.replacing(Array(form.utf8), in: bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Compared as UTF-8 bytes, so combining marks next to a secret cannot hide it.
    private static func replacing(_ needle: [UInt8], in haystack: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty, haystack.count >= needle.count else { return haystack }
        var out: [UInt8] = []
        var index = 0
        while index < haystack.count {
            if index + needle.count <= haystack.count, haystack[index..<index + needle.count].elementsEqual(needle) {
                out += Array("***".utf8)
                index += needle.count
            } else {
                out.append(haystack[index])
                index += 1
            }
        }
        return out
    }

    private static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
