#if canImport(Glibc)
import Glibc
#endif

/// Keeps freed heap memory in the process instead of handing it back to the kernel
/// after every burst. `serve`, `worker` and `run` apply it at start, the benchmarks too.
///
/// glibc gives the free top of a heap back to the kernel (`madvise`, `brk`) once it
/// exceeds its trim threshold: 128 KB at first, moved around by glibc as large blocks
/// come and go. A server that answers a list of 50 monitors with a few hundred KB of
/// JSON crosses it all the time, and every page it gives back is a page fault
/// (zeroed by the kernel) when the next request takes it again. In the API benchmark,
/// creates that followed the list route made 1,800 `madvise` calls and 36,000 page
/// faults a second; with the threshold at 16 MB, none of either, and each create
/// costs about a fifth less CPU (decision 5 has the figures).
///
/// The cost: an idle process keeps up to `trimThresholdBytes` of free memory per glibc
/// arena, memory it used at its busiest. Setting `MALLOC_TRIM_THRESHOLD_` in the
/// environment (glibc's own variable) overrides this; `0` restores the trimming.
public enum HeapRetention {
    /// Free memory a heap may keep before glibc trims it.
    public static let trimThresholdBytes: Int32 = 16 << 20

    /// `M_TRIM_THRESHOLD` of <malloc.h>, a macro Swift does not import.
    private static let trimThresholdParameter: Int32 = -1

    /// Sets glibc's trim threshold unless `MALLOC_TRIM_THRESHOLD_` is set; returns the
    /// threshold it set, or nil when it left glibc's own.
    @discardableResult
    public static func apply(environment: [String: String]) -> Int32? {
        #if canImport(Glibc)
        guard environment["MALLOC_TRIM_THRESHOLD_"] == nil else { return nil }
        // <malloc.h> is not part of the Glibc module: mallopt is looked up instead (RTLD_DEFAULT is nil).
        guard let symbol = dlsym(nil, "mallopt") else { return nil }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        return mallopt(trimThresholdParameter, trimThresholdBytes) == 1 ? trimThresholdBytes : nil
        #else
        return nil
        #endif
    }
}
