import Foundation
import MailProbe

/// N checks with at most `concurrency` in flight, started as earlier ones finish.
struct ProbeRun {
    let probe: ImapProbe
    let target: ProbeTarget
    /// What SELECT must report, so a check that skipped the mailbox cannot pass.
    let expectedMessages: Int

    struct Outcome {
        var ok = 0
        /// failure text → how many times.
        var failures: [String: Int] = [:]
        /// Total time of each check, as the probe reports it (ms).
        var latencies: [Double] = []
        var failed: Int { failures.values.reduce(0, +) }
    }

    func run(checks: Int, concurrency: Int) async -> Outcome {
        await withTaskGroup(of: ProbeResult.self) { group in
            var outcome = Outcome()
            outcome.latencies.reserveCapacity(checks)
            var started = 0
            while started < min(concurrency, checks) {
                group.addTask { await probe.check(target) }
                started += 1
            }
            for await result in group {
                if result.ok, result.messageCount == expectedMessages {
                    outcome.ok += 1
                    outcome.latencies.append(result.timings.total)
                } else if result.ok {
                    outcome.failures["ok, but \(result.messageCount.map(String.init) ?? "no") messages, not \(expectedMessages)", default: 0] += 1
                } else {
                    let key = "\(result.category?.rawValue ?? "?"): \(result.message ?? "")"
                    outcome.failures[key, default: 0] += 1
                }
                if started < checks {
                    group.addTask { await probe.check(target) }
                    started += 1
                }
            }
            return outcome
        }
    }
}
