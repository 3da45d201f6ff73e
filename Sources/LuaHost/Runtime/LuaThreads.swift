import Foundation
import Synchronization

/// The threads Lua runs on, apart from Swift's cooperative pool.
///
/// A Lua call is synchronous C work: the instruction budget bounds the VM, the
/// sandbox bounds pattern matching, yet a call may still take tens of
/// milliseconds, and it cannot be suspended. Run inline in an `async` function,
/// it would hold one of the cooperative pool's threads (one per core), which the
/// HTTP handlers and everything else in the server share: a few slow scripts at
/// once would stall the whole process. So every synchronous slice of Lua work
/// (building a state, `lua_resume` up to the next yield or the end, reading the
/// results) runs here, and the caller awaits it without holding a thread. The
/// asynchronous host functions a script waits on still run in Swift concurrency,
/// between slices (docs/decisions/0003-async-host-functions-as-coroutine-yields.md).
///
/// A slow script holds its own request and one of these threads; calls beyond
/// `count` queue, in order, without blocking anything. Synchronous host functions
/// run here too, inside their slice: they must not block on Swift concurrency.
///
/// The threads live as long as the process; one set per thread count, shared by
/// every library that asks for that count (`LuaLimits.scriptThreads`).
final class LuaThreads: Sendable {
    let count: Int
    private let queue: JobQueue

    private static let pools = Mutex<[Int: LuaThreads]>([:])
    /// The system threads of every pool, to tell whether code runs on one.
    private static let threadIDs = Mutex<Set<UInt>>([])

    /// Whether the calling code runs on one of these threads.
    static var isCurrentThreadLuaThread: Bool {
        let current = UInt(pthread_self())
        return threadIDs.withLock { $0.contains(current) }
    }

    /// The process's threads for `count` (at least 1), started on first use.
    static func shared(count: Int) -> LuaThreads {
        let count = max(1, count)
        return Self.pools.withLock { pools in
            if let pool = pools[count] { return pool }
            let pool = LuaThreads(count: count)
            pools[count] = pool
            return pool
        }
    }

    private init(count: Int) {
        self.count = count
        let queue = JobQueue()
        self.queue = queue
        for index in 0..<count {
            let name = "mailmon-lua-\(index + 1)"
            let thread = Thread {
                // Named from inside: on Linux that also names the system thread (top, gdb, /proc).
                Thread.current.name = name
                let id = UInt(pthread_self())
                _ = LuaThreads.threadIDs.withLock { $0.insert(id) }
                queue.serve()
            }
            thread.name = name
            // Lua's C recursion (pattern matching, nested pcall and metamethods) runs on this stack.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `body` on one of the threads and returns what it returned or threw.
    /// The calling task is suspended meanwhile; it holds no thread.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(LuaScriptError) -> T) async throws(LuaScriptError) -> T {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, LuaScriptError>, Never>) in
            queue.push {
                continuation.resume(returning: Result(catching: body))
            }
        }
        return try result.get()
    }
}

/// First in, first out; workers sleep on the condition while it is empty.
private final class JobQueue: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    // `jobs[head...]` are waiting; both are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0

    func push(_ job: @escaping Job) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// A worker's loop: takes jobs one at a time, forever.
    func serve() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64 && head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
