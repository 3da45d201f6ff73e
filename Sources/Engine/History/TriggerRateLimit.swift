public import Foundation
import Synchronization

/// At most one triggered check per monitor per `interval`; the answer says when the next may come.
public final class TriggerRateLimit: Sendable {
    private let interval: TimeInterval
    private let last = Mutex<[Int64: Date]>([:])

    public init(interval: TimeInterval = 10) {
        self.interval = interval
    }

    /// nil when allowed (and recorded), else the seconds to wait.
    func admit(_ monitorId: Int64, now: Date) -> Int? {
        last.withLock { last in
            if let previous = last[monitorId], now.timeIntervalSince(previous) < interval {
                return Int((interval - now.timeIntervalSince(previous)).rounded(.up))
            }
            if last.count > 10_000 { last = last.filter { now.timeIntervalSince($0.value) < interval } }
            last[monitorId] = now
            return nil
        }
    }
}
