/// Seals secrets before a store writes them and opens them when it reads them back (the key
/// ring in `App`): mailbox configs, which carry passwords, and alert-channel URLs, which carry keys.
public protocol SecretCipher: Sendable {
    /// The sealed form: `enc:v1:<key id>:<base64 of nonce, ciphertext and tag>`.
    func seal(_ plaintext: String) throws -> String
    /// The plaintext of a sealed value; a value that is not sealed (written before encryption) as it is.
    func open(_ value: String) throws -> String
    /// The id of the key `seal` uses now.
    var currentKeyId: String { get }
    /// Whether this ring holds the key with `id`.
    func hasKey(_ id: String) -> Bool
}

public enum SealedText {
    public static let prefix = "enc:v1:"

    /// The key id of a sealed value; nil for plaintext.
    public static func keyId(_ value: String) -> String? {
        guard value.hasPrefix(prefix) else { return nil }
        let rest = value.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        return String(rest[..<colon])
    }
}

public struct SecretCipherError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
