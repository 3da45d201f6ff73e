@testable import SQLiteStore
import Domain
import Testing

/// When group commit lets a batch gather: only while writes stream in.
@Suite("Write pace")
struct WritePaceTests {
    @Test("a first write, and writes far apart, are not a stream")
    func alone() {
        var pace = WritePace()
        pace.arrival(atNanoseconds: 0)
        #expect(!pace.streaming)
        for second in 1...5 { pace.arrival(atNanoseconds: Int64(second) * 1_000_000_000) }
        #expect(!pace.streaming)
    }

    @Test("writes 100 µs apart become a stream; one after a pause of a second ends it")
    func stream() {
        var pace = WritePace()
        var now: Int64 = 5_000_000_000
        pace.arrival(atNanoseconds: now)
        for _ in 0..<40 {
            now += 100_000
            pace.arrival(atNanoseconds: now)
        }
        #expect(pace.streaming)
        now += 1_000_000_000
        pace.arrival(atNanoseconds: now)
        #expect(!pace.streaming)
    }
}
