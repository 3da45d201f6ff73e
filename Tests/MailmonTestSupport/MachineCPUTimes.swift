import Foundation

/// The whole machine's CPU times from the first line of /proc/stat, in clock ticks, all cores
/// summed: user, nice, system, idle, iowait, irq, softirq, steal, … (empty where unreadable).
/// The benchmarks read busy time and the hypervisor's steal from it.
public enum MachineCPUTimes {
    public static func read() -> [Int] {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let line = text.split(separator: "\n").first else {
            return []
        }
        return line.split(separator: " ").dropFirst().compactMap { Int($0) }
    }
}
