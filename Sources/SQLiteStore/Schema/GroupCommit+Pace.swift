public import Domain
/// How fast writes arrive, for `GroupCommit`'s choice to let a batch gather.
///
/// Every commit writes each page it touched to the WAL, once, whatever the number of
/// writes in it: a create alone writes 8 pages, 20 creates together 12. Under a
/// stream of writes, a batch that waits a moment for company writes a fraction of
/// the pages, and each background sync has that much less to flush. A write that
/// comes alone is never held back: gathering starts only when writes arrive faster
/// than `streamingGap` apart on average.
struct WritePace: Sendable {
    /// Mean gap between writes (exponential moving average, 1/8 weight per arrival);
    /// nil until the second write.
    private(set) var averageGapNanoseconds: Int64?
    private var lastArrival: Int64?

    /// Writes this close together on average are a stream worth gathering.
    static let streamingGapNanoseconds: Int64 = 1_000_000
    /// A batch gathers until it has this many writes…
    static let gatherWrites = 8
    /// …or until this long has passed, in `gatherStepMicroseconds` steps.
    static let gatherMicroseconds: UInt32 = 2_000
    static let gatherStepMicroseconds: UInt32 = 250

    /// A gap counts at most this much: one pause ends a stream (the average is then
    /// above `streamingGap`), and a new stream is one again after ~20 writes.
    static let longestGapNanoseconds: Int64 = 100_000_000

    mutating func arrival(atNanoseconds now: Int64) {
        if let lastArrival {
            let gap = min(max(0, now - lastArrival), Self.longestGapNanoseconds)
            averageGapNanoseconds = averageGapNanoseconds.map { $0 + (gap - $0) / 8 } ?? gap
        }
        lastArrival = now
    }

    /// Whether writes are arriving as a stream.
    var streaming: Bool { averageGapNanoseconds.map { $0 < Self.streamingGapNanoseconds } ?? false }
}
