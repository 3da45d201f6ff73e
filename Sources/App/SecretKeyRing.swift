import Crypto
public import Domain
public import Foundation
import Synchronization

/// The keys that seal secrets at rest (AES-256-GCM, swift-crypto). They come from
/// `MAILMON_SECRET_KEY` (base64 keys, comma-separated, the first current) or from a key file:
/// one base64 key a line, the first current, the rest kept to open what they sealed. A missing
/// key file is created with mode 0600 on first start. `mailmon secrets rotate` puts a new key first.
public final class SecretKeyRing: SecretCipher {
    /// Key bytes (swift-crypto's `SymmetricKey` is not Sendable; one is made for each use).
    private struct Keys: Sendable {
        var ordered: [(id: String, key: Data)]
        var byId: [String: Data]
    }

    public let path: String?
    private let keys: Mutex<Keys>
    /// Plaintexts of sealed values already opened (a listed monitor is opened on every list), in
    /// shards so that the readers of a busy list route do not queue on one lock.
    private let opened: [OpenedShard] = (0..<SecretKeyRing.shardCount).map { _ in OpenedShard() }
    static let shardCount = 32
    static let cacheCapacity = 100_000

    private final class OpenedShard: Sendable {
        let values = Mutex<[String: String]>([:])
    }

    /// The shard of a sealed value: its last characters are the base64 of the random GCM tag.
    private func shard(_ value: String) -> OpenedShard {
        var mix = 0
        for byte in value.utf8.suffix(4) { mix = mix &* 31 &+ Int(byte) }
        return opened[mix & (Self.shardCount - 1)]
    }

    init(path: String?, keys: [SymmetricKey]) throws {
        guard !keys.isEmpty else { throw SecretCipherError("no secret key") }
        self.path = path
        self.keys = Mutex(Self.index(keys))
    }

    /// The ring of `MAILMON_SECRET_KEY` when set, else of the key file at `path` (created when missing).
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SecretKeyRing {
        if let text = environment["MAILMON_SECRET_KEY"] {
            text.split(separator: ",").forEach { KnownSecrets.shared.register(String($0)) }
            return try SecretKeyRing(path: nil, keys: try parse(text.replacingOccurrences(of: ",", with: "\n"), source: "MAILMON_SECRET_KEY"))
        }
        if !FileManager.default.fileExists(atPath: path) { try create(path) }
        return try SecretKeyRing(path: path, keys: try read(path))
    }

    /// A ring of one fresh key, in memory only (tests, tools).
    public static func ephemeral() -> SecretKeyRing {
        try! SecretKeyRing(path: nil, keys: [SymmetricKey(size: .bits256)])
    }

    /// Puts a new key first in the key file (the old ones stay, to open what they sealed); the new ring.
    public static func rotate(path: String) throws -> SecretKeyRing {
        let existing = try read(path)
        let fresh = SymmetricKey(size: .bits256)
        try write([fresh] + existing, to: path)
        return try SecretKeyRing(path: path, keys: [fresh] + existing)
    }

    /// Keeps only the keys with `ids` in the key file (after a rotation has re-sealed everything).
    public static func retain(_ ids: Set<String>, path: String) throws -> Int {
        let existing = try read(path)
        let kept = existing.filter { ids.contains(keyId($0)) }
        guard !kept.isEmpty else { throw SecretCipherError("refusing to remove every key from \(path)") }
        try write(kept, to: path)
        return existing.count - kept.count
    }

    public var currentKeyId: String { keys.withLock { $0.ordered[0].id } }

    public var keyIds: [String] { keys.withLock { $0.ordered.map(\.id) } }

    public func hasKey(_ id: String) -> Bool { key(id) != nil }

    public func seal(_ plaintext: String) throws -> String {
        let (id, key) = keys.withLock { $0.ordered[0] }
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: SymmetricKey(data: key))
        guard let combined = box.combined else { throw SecretCipherError("AES-GCM gave no combined box") }
        return SealedText.prefix + id + ":" + combined.base64EncodedString()
    }

    public func open(_ value: String) throws -> String {
        guard value.hasPrefix(SealedText.prefix) else { return value }
        let shard = shard(value)
        if let known = shard.values.withLock({ $0[value] }) { return known }
        guard let id = SealedText.keyId(value) else { throw SecretCipherError("a sealed value without a key id") }
        guard let key = key(id) else {
            throw SecretCipherError("a secret is sealed with key \(id), which the key ring does not have (\(path ?? "MAILMON_SECRET_KEY"))")
        }
        let encoded = value.dropFirst(SealedText.prefix.count + id.count + 1)
        guard let data = Data(base64Encoded: String(encoded)) else { throw SecretCipherError("a sealed value that is not base64") }
        let plaintext: Data
        do {
            plaintext = try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: SymmetricKey(data: key))
        } catch {
            throw SecretCipherError("a secret sealed with key \(id) does not open with that key: the key file was changed")
        }
        let text = String(decoding: plaintext, as: UTF8.self)
        shard.values.withLock { cache in
            if cache.count >= Self.cacheCapacity / Self.shardCount { cache.removeAll(keepingCapacity: true) }
            cache[value] = text
        }
        return text
    }

    /// The key with `id`; when unknown, the key file is read again once (another process rotated it).
    private func key(_ id: String) -> Data? {
        if let key = keys.withLock({ $0.byId[id] }) { return key }
        guard let path, let reread = try? Self.read(path) else { return nil }
        let index = Self.index(reread)
        guard let key = index.byId[id] else { return nil }
        // Keys read again are added for opening; the current key stays this process's until it restarts.
        keys.withLock { keys in
            for (id, key) in index.ordered where keys.byId[id] == nil {
                keys.ordered.append((id, key))
                keys.byId[id] = key
            }
        }
        return key
    }

    // MARK: The key file

    static func keyId(_ key: SymmetricKey) -> String {
        let digest = key.withUnsafeBytes { SHA256.hash(data: Data("mailmon key id".utf8) + Data($0)) }
        return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    private static func index(_ keys: [SymmetricKey]) -> Keys {
        let ordered = keys.map { key in (id: keyId(key), key: key.withUnsafeBytes { Data($0) }) }
        return Keys(ordered: ordered, byId: Dictionary(ordered.map { ($0.id, $0.key) }) { first, _ in first })
    }

    static func read(_ path: String) throws -> [SymmetricKey] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SecretCipherError("cannot read the secret key file \(path): \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    static func parse(_ text: String, source: String) throws -> [SymmetricKey] {
        var keys: [SymmetricKey] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let data = Data(base64Encoded: trimmed), data.count == 32 else {
                throw SecretCipherError("\(source) line \(number + 1): not a base64 256-bit key")
            }
            keys.append(SymmetricKey(data: data))
        }
        guard !keys.isEmpty else { throw SecretCipherError("\(source) holds no key") }
        return keys
    }

    /// Creates the key file with one fresh key, mode 0600; when another process created it first, keeps theirs.
    static func create(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw SecretCipherError("cannot create the secret key file \(path): errno \(errno)")
        }
        defer { close(descriptor) }
        let text = contents([SymmetricKey(size: .bits256)])
        let written = text.utf8CString.withUnsafeBufferPointer { Foundation.write(descriptor, $0.baseAddress, $0.count - 1) }
        guard written == text.utf8.count, fsync(descriptor) == 0 else { throw SecretCipherError("cannot write the secret key file \(path)") }
    }

    /// Replaces the key file whole (a temporary file, mode 0600, then renamed over it).
    static func write(_ keys: [SymmetricKey], to path: String) throws {
        let temporary = path + ".new"
        unlink(temporary)
        let descriptor = Foundation.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SecretCipherError("cannot write \(temporary): errno \(errno)") }
        let text = contents(keys)
        let written = text.utf8CString.withUnsafeBufferPointer { Foundation.write(descriptor, $0.baseAddress, $0.count - 1) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == text.utf8.count, synced, rename(temporary, path) == 0 else { throw SecretCipherError("cannot replace \(path)") }
    }

    static func contents(_ keys: [SymmetricKey]) -> String {
        "# mailmon secret keys (AES-256): the first seals, all open. Keep this file with the database's backups, apart from them.\n"
            + keys.map { key in key.withUnsafeBytes { Data($0).base64EncodedString() } }.joined(separator: "\n") + "\n"
    }
}
