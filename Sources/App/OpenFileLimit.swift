#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit: raised to the hard limit at start where the system allows,
/// so connections, the database and outgoing checks have room (a limit of 1,024 is common).
public enum OpenFileLimit {
    /// The soft limit in force, raised to the hard limit on first use (nil if unknown).
    public static let inForce: Int? = raise()

    /// Raises the soft limit to the hard limit; returns the soft limit in force afterwards (nil if unknown).
    @discardableResult
    static func raise() -> Int? {
        #if os(Linux)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        var target = limit.rlim_max
        #if canImport(Darwin)
        target = min(target, rlim_t(OPEN_MAX))
        #endif
        if limit.rlim_cur < target {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
