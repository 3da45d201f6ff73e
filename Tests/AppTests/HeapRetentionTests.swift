@testable import App
import Foundation
import Testing

/// Memory freed after a burst stays in the process, so the next burst does not fault it in again.
@Suite("Heap retention")
struct HeapRetentionTests {
    @Test("after it is applied, memory freed at the top of the heap is taken again without page faults")
    func freedMemoryStays() throws {
        #expect(HeapRetention.apply(environment: [:]) == HeapRetention.trimThresholdBytes)
        // 8 MB in 64 KB blocks (2,048 pages): glibc's own threshold would give them back when freed,
        // and every measurement would then fault about 2,000 times. Other tests in this process
        // share malloc's arenas and can disturb one measurement: the best of three is taken.
        let faults = (0..<3).map { _ in Self.pageFaultsTakingAgain(blocks: 128, of: 64 << 10) }.min() ?? .max
        #expect(faults < 256, "\(faults) page faults taking 2,048 freed pages again")
    }

    @Test("glibc's own MALLOC_TRIM_THRESHOLD_ wins")
    func environmentWins() {
        #expect(HeapRetention.apply(environment: ["MALLOC_TRIM_THRESHOLD_": "0"]) == nil)
    }

    /// Allocates, touches and frees `blocks` blocks twice on this thread; the minor page
    /// faults of the second time.
    static func pageFaultsTakingAgain(blocks: Int, of size: Int) -> Int {
        func burst() {
            let taken = (0..<blocks).map { _ in malloc(size)! }
            for block in taken { memset(block, 1, size) }
            for block in taken.reversed() { free(block) }
        }
        burst()
        let before = minorFaults()
        burst()
        return minorFaults() - before
    }

    /// RUSAGE_THREAD of <sys/resource.h>, which Swift's Glibc leaves out (a GNU extension).
    static let rusageThread: Int32 = 1

    static func minorFaults() -> Int {
        var usage = rusage()
        getrusage(rusageThread, &usage)
        return usage.ru_minflt
    }
}
