import Foundation
import Synchronization

/// Samples this process's resident memory once a second while the worker runs.
final class ResourceSampler: Sendable {
    private let peak = Mutex(0.0)
    var peakRSSMegabytes: Double { peak.withLock { $0 } }

    func sample(every interval: Duration, for total: Duration) async throws {
        let end = ContinuousClock.now + total
        while ContinuousClock.now < end {
            let rss = Self.rssMegabytes()
            peak.withLock { $0 = max($0, rss) }
            try await Task.sleep(for: interval)
        }
    }

    /// VmRSS from /proc/self/status.
    static func rssMegabytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? .nan) / 1024
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }
}
