import Dispatch
import Synchronization

/// Failed authentications (a bearer token no one holds) counted per client address in a window:
/// the first `freeFailures` are answered 401 at once, the next `slowedFailures` 401 after `delay`,
/// and the rest 429 with `Retry-After` until the window ends. A valid token is always let through,
/// so an attacker at the same address (a shared NAT) cannot lock out a real token.
public final class AuthFailureLimiter: Sendable {
    public struct Settings: Sendable {
        public var window: Duration
        public var freeFailures: Int
        public var slowedFailures: Int
        public var delay: Duration
        /// Addresses remembered at most; past it, finished windows go, and if none had, all.
        public var capacity: Int

        public init(
            window: Duration = .seconds(60), freeFailures: Int = 10, slowedFailures: Int = 20, delay: Duration = .seconds(1),
            capacity: Int = 10_000
        ) {
            self.window = window
            self.freeFailures = freeFailures
            self.slowedFailures = slowedFailures
            self.delay = delay
            self.capacity = capacity
        }
    }

    public enum Verdict: Sendable, Equatable {
        /// Answer 401 now.
        case refuse
        /// Answer 401 after waiting this long.
        case slow(Duration)
        /// Answer 429; the client may try again after this many seconds.
        case tooMany(retryAfterSeconds: Int)
    }

    private struct Window {
        var started: UInt64
        var failures: Int
    }

    let settings: Settings
    private let windowNanoseconds: UInt64
    private let now: @Sendable () -> UInt64
    private let windows = Mutex<[String: Window]>([:])

    public init(settings: Settings = Settings(), now: (@Sendable () -> UInt64)? = nil) {
        self.settings = settings
        let (seconds, attoseconds) = settings.window.components
        windowNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        self.now = now ?? { DispatchTime.now().uptimeNanoseconds }
    }

    /// Counts a failed authentication from `address`; what to answer.
    public func failed(_ address: String) -> Verdict {
        let time = now()
        let failures = windows.withLock { windows -> (Int, UInt64) in
            if windows.count >= settings.capacity, windows[address] == nil {
                windows = windows.filter { time &- $0.value.started < windowNanoseconds }
                if windows.count >= settings.capacity { windows = [:] }
            }
            var window = windows[address] ?? Window(started: time, failures: 0)
            if time &- window.started >= windowNanoseconds { window = Window(started: time, failures: 0) }
            window.failures += 1
            windows[address] = window
            return (window.failures, window.started)
        }
        if failures.0 <= settings.freeFailures { return .refuse }
        if failures.0 <= settings.freeFailures + settings.slowedFailures { return .slow(settings.delay) }
        return .tooMany(retryAfterSeconds: Int((windowNanoseconds - min(windowNanoseconds, time &- failures.1)) / 1_000_000_000) + 1)
    }
}
