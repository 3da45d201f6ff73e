import Synchronization

/// Lets at most `permits` API writes (monitor create, update, delete; customer create)
/// work at a time and admits the rest in the order they arrived.
///
/// Every write ends at the one database writer. Without a limit, a burst of
/// concurrent writes all run their policy and reads at once, interleave on the
/// cores and finish in no particular order, so some wait much longer than others.
/// In line, each waits about as long as the ones before it: a lower create p99 at
/// the same throughput in the API benchmark; too few permits cost throughput, as
/// group commit has fewer writes to share a transaction (decision 5 has the figures).
///
/// A request waits here only after its body was read and its shape checked, so a
/// slow or malformed client never holds a permit.
public final class WriteAdmission: Sendable {
    /// The default number of writes at work (`--write-concurrency`).
    public static let defaultPermits = 24

    private struct Line {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var next = 0

        var isEmpty: Bool { next == waiting.count }
    }

    private let line: Mutex<Line>
    let permits: Int

    public init(permits: Int = WriteAdmission.defaultPermits) {
        precondition(permits > 0, "a write admission needs at least one permit")
        self.permits = permits
        line = Mutex(Line(free: permits))
    }

    /// Writes waiting for a permit.
    var waiting: Int { line.withLock { $0.waiting.count - $0.next } }

    /// Runs `body` once a permit is free and every earlier arrival has had one.
    public func admit<T>(_ body: () async throws -> T) async rethrows -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        if line.withLock({ Self.take(&$0) }) { return }
        await withCheckedContinuation { continuation in
            // Checked again under the same lock that queues it: a permit freed in between is not lost.
            let admitted = line.withLock { line -> Bool in
                if Self.take(&line) { return true }
                line.waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    private func leave() {
        let next = line.withLock { line -> CheckedContinuation<Void, Never>? in
            guard !line.isEmpty else {
                line.free += 1
                return nil
            }
            let continuation = line.waiting[line.next]
            line.next += 1
            if line.isEmpty {
                line.waiting.removeAll(keepingCapacity: true)
                line.next = 0
            } else if line.next >= 1024, line.next * 2 >= line.waiting.count {
                // Under a steady backlog the line never empties: drop the admitted front now and then.
                line.waiting.removeFirst(line.next)
                line.next = 0
            }
            return continuation
        }
        next?.resume()
    }

    /// A free permit, when no one is waiting for it already.
    private static func take(_ line: inout Line) -> Bool {
        guard line.free > 0, line.isEmpty else { return false }
        line.free -= 1
        return true
    }
}
