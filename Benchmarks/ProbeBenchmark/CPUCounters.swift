import Foundation
import MailmonTestSupport

/// CPU seconds, read before and after a measured window.
enum CPUCounters {
    /// user and sys seconds of this whole process (every thread: event loops, the task pool, main).
    static func processSeconds() -> (user: Double, sys: Double) {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return (seconds(usage.ru_utime), seconds(usage.ru_stime))
    }

    /// Dovecot's CPU: utime + stime + cutime + cstime of every process in the master's
    /// process group (the master, auth, imap-login, the per-session imap processes).
    /// A session process that has exited and been reaped is in the master's cutime/cstime,
    /// a live one in its own utime/stime. Approximate: a process reaped between reading
    /// its own stat and the master's is counted twice or not at all, and the clock
    /// tick is 10 ms, so only totals over many checks mean anything.
    static func processGroupSeconds(_ group: pid_t) -> Double {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var ticks = 0
        for entry in entries where entry.first?.isNumber == true {
            guard let fields = statFields("/proc/\(entry)/stat"), fields.count > 14, Int(fields[2]) == Int(group) else {
                continue
            }
            // fields[0] is `state` (field 3 of proc(5)); utime is field 14, cstime field 17.
            ticks += fields[11...14].reduce(0) { $0 + (Int($1) ?? 0) }
        }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Busy (non-idle, non-iowait) seconds of the whole machine, all cores summed.
    static func machineBusySeconds() -> Double {
        let values = MachineCPUTimes.read()
        guard values.count >= 5 else { return 0 }
        let busy = values.reduce(0, +) - values[3] - values[4]
        return Double(busy) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The fields after the command name, which may itself contain spaces and parentheses.
    private static func statFields(_ path: String) -> [Substring]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let close = text.lastIndex(of: ")") else {
            return nil
        }
        return text[text.index(after: close)...].split(separator: " ")
    }

    private static func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
}

/// Everything read around one measured window.
struct CPUSnapshot {
    let wall: ContinuousClock.Instant
    let clientUser: Double
    let clientSys: Double
    let dovecot: Double
    let machine: Double

    static func take(dovecotGroup: pid_t?) -> CPUSnapshot {
        let client = CPUCounters.processSeconds()
        return CPUSnapshot(
            wall: .now, clientUser: client.user, clientSys: client.sys,
            dovecot: dovecotGroup.map(CPUCounters.processGroupSeconds) ?? 0, machine: CPUCounters.machineBusySeconds())
    }
}
