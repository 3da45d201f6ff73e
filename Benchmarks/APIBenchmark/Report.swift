import Foundation
import MailmonTestSupport

/// The table `make bench` prints, and this process's CPU (the server's: wrk is another process).
enum Report {
    static let header =
        "route                          req/s      p50 ms   p99 ms   requests   server CPU ms/req   steal %   errors   non-2xx"

    static func row(_ name: String, _ r: WrkResult, serverCPUSeconds: Double, stealPercent: Double) -> String {
        let cpu = r.requests > 0 ? serverCPUSeconds * 1000 / Double(r.requests) : .nan
        return name.padding(toLength: 30, withPad: " ", startingAt: 0)
            + String(format: " %8.0f   %7.2f  %7.2f   %8d   %17.3f   %7.1f   %6d   %7d", r.requestsPerSecond, r.p50Milliseconds,
                     r.p99Milliseconds, r.requests, cpu, stealPercent, r.errors, r.non2xx)
    }
}

/// The machine's CPU time the hypervisor gave to other guests ("steal" in /proc/stat): on a
/// shared VM it moves every figure, so each row shows it beside the figures it moved.
struct StealCounter {
    private let steal: Int
    private let total: Int

    init() {
        let values = MachineCPUTimes.read()
        steal = values.count > 7 ? values[7] : 0
        total = values.prefix(8).reduce(0, +)
    }

    /// Percent of all CPU time since `self` that was stolen.
    func percentSince() -> Double {
        let now = StealCounter()
        let elapsed = now.total - total
        return elapsed > 0 ? Double(now.steal - steal) * 100 / Double(elapsed) : 0
    }
}

enum ProcessCPU {
    /// User + system CPU seconds of this process so far.
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }
}
