import Crypto
import Foundation

/// Signed-in browsers: a random session id (the cookie) → the API token it signed in with and the
/// session's CSRF token. Kept in this process's memory only: a restart signs everyone out, sign-out
/// forgets the session at once, and the token itself never reaches the browser again.
public actor DashboardSessions {
    struct Session: Sendable {
        /// The API token the session acts with: every page asks the same role rules the API does.
        let token: String
        /// Every form that changes something carries it; a POST without it is refused.
        let csrf: String
        var lastSeen: Date
    }

    /// A session unused this long is gone.
    let idleLimit: TimeInterval
    /// At most this many sessions; the longest idle one goes first.
    let capacity: Int
    /// At most this many sessions per API token.
    let perToken: Int
    private var sessions: [String: Session] = [:]

    public init(idleLimit: Double = 12 * 3600, capacity: Int = 10_000, perToken: Int = 20) {
        self.idleLimit = idleLimit
        self.capacity = capacity
        self.perToken = perToken
    }

    /// A new session for the token; returns its id (the cookie's value). A token holds at most
    /// `perToken` sessions (its oldest goes first), so no token holder can push everyone else's out.
    func create(token: String, now: Date = Date()) -> String {
        let own = sessions.filter { $0.value.token == token }
        if own.count >= perToken, let oldest = own.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key {
            sessions[oldest] = nil
        }
        if sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key {
            sessions[oldest] = nil
        }
        let id = Self.randomToken()
        sessions[id] = Session(token: token, csrf: Self.randomToken(), lastSeen: now)
        return id
    }

    func session(_ id: String, now: Date = Date()) -> Session? {
        guard var session = sessions[id] else { return nil }
        guard now.timeIntervalSince(session.lastSeen) < idleLimit else {
            sessions[id] = nil
            return nil
        }
        session.lastSeen = now
        sessions[id] = session
        return session
    }

    func remove(_ id: String) {
        sessions[id] = nil
    }

    /// 32 random bytes, URL-safe base64 without padding.
    static func randomToken() -> String {
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
