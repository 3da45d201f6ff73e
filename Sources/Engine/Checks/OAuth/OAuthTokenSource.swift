import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// Access tokens for OAuth2 monitors: one per account, cached until shortly before it expires
/// and shared by concurrent checks (one token request in flight per account). A refresh token
/// the provider rotates is handed to `rotated` (which stores it) before the access token is
/// used, and remembered here meanwhile.
public actor OAuthTokenSource {
    /// Why no access token could be had: the check fails as `oauth_token` with this text (never a secret).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Posts the form to the endpoint within the timeout: the status and the body.
    public typealias Post = @Sendable (_ url: String, _ form: String, _ timeout: Duration) async throws -> (status: Int, body: [UInt8])
    /// Stores a rotated refresh token for the monitor: (monitor id, old, new).
    public typealias Rotated = @Sendable (Int64, String, String) async -> Void

    struct Cached {
        var token: String
        var usableUntil: Date
    }

    private var cache: [String: Cached] = [:]
    private var inFlight: [String: Task<String, any Error>] = [:]
    /// Refresh tokens replaced by the provider: old → new, until the stored config has the new one.
    private var rotations: [String: String] = [:]
    private let post: Post
    private let rotated: Rotated
    /// Token requests made (for `/metrics` and the benchmark).
    public private(set) var requests = 0

    public init(post: @escaping Post = OAuthTokenSource.httpPost, rotated: @escaping Rotated = { _, _, _ in }) {
        self.post = post
        self.rotated = rotated
    }

    /// A token for the monitor's account, and whether it came from the cache (a rejected cached
    /// token is worth one retry with a fresh one).
    public func token(monitorId: Int64, settings: OAuthSettings, timeout: Duration, now: Date = Date()) async throws -> (
        token: String, cached: Bool
    ) {
        let settings = current(settings)
        let key = settings.cacheKey
        if let cached = cache[key], cached.usableUntil > now { return (cached.token, true) }
        if let running = inFlight[key] { return (try await running.value, false) }
        let task = Task { try await self.fetch(monitorId: monitorId, settings: settings, timeout: timeout) }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        return (try await task.value, false)
    }

    /// Forgets the cached token (the server refused it).
    public func invalidate(_ settings: OAuthSettings) {
        cache[current(settings).cacheKey] = nil
    }

    /// The settings with the newest refresh token this process has seen.
    private func current(_ settings: OAuthSettings) -> OAuthSettings {
        guard case .refreshToken(var token) = settings.grant else { return settings }
        while let newer = rotations[token] { token = newer }
        var settings = settings
        settings.grant = .refreshToken(token)
        return settings
    }

    private func fetch(monitorId: Int64, settings: OAuthSettings, timeout: Duration) async throws -> String {
        requests += 1
        let (status, body): (Int, [UInt8])
        let form: String
        do {
            form = try TokenEndpointAnswer.form(settings)
        } catch {
            throw Failure(description: scrub("cannot make the token request: \(error)", settings))
        }
        do {
            (status, body) = try await post(settings.tokenEndpoint, form, timeout)
        } catch {
            throw Failure(description: scrub("token endpoint \(settings.tokenEndpoint): \(Self.describe(error, timeout: timeout))", settings))
        }
        let answer = TokenEndpointAnswer.parse(body)
        guard (200..<300).contains(status), let answer, let access = answer.accessToken else {
            var text = "token endpoint answered HTTP \(status)"
            if let error = answer?.error { text += ": \(error)" }
            if let detail = answer?.errorDescription { text += ": \(detail.prefix(300))" }
            if answer == nil { text += ": \(String(decoding: body.prefix(200), as: UTF8.self))" }
            throw Failure(description: scrub(text, settings))
        }
        if case .refreshToken(let old) = settings.grant, let new = answer.refreshToken, new != old {
            rotations[old] = new
            await rotated(monitorId, old, new)
        }
        // Used until a minute before it expires (or 90 % of a shorter life).
        let lifetime = Double(max(answer.expiresIn ?? 3600, 1))
        let margin = min(60, lifetime * 0.1)
        let entry = Cached(token: access, usableUntil: Date().addingTimeInterval(lifetime - margin))
        cache[settings.cacheKey] = entry
        cache[current(settings).cacheKey] = entry
        return access
    }

    private func scrub(_ text: String, _ settings: OAuthSettings) -> String {
        settings.secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    private static func describe(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return "no answer within \(timeout.components.seconds) s"
        }
        return String(describing: error)
    }

    /// The POST over AsyncHTTPClient, with the whole exchange bounded by `timeout`.
    public static let httpPost: Post = { url, form, timeout in
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "mailmon")
        request.body = .bytes(ByteBuffer(string: form))
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let response = try await HTTPClient.shared.execute(request, deadline: .now() + .nanoseconds(nanoseconds))
        let body = try await response.body.collect(upTo: 64 * 1024)
        return (Int(response.status.code), Array(buffer: body))
    }
}
