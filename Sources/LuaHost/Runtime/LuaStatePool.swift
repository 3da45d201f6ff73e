import Synchronization

/// Sandboxes of one script generation. A caller gets one to itself; callers
/// never share a state, and beyond `capacity` they wait for one to come back,
/// except a call made from inside an asynchronous host function (below).
final class LuaStatePool: Sendable {
    /// True while a task runs an asynchronous host function for a sandbox it holds.
    /// A library call it makes then (the check primitives resolve the default port
    /// in Lua) never waits: if every state were held by such tasks, each would wait
    /// for another's state, and none would come back. It gets an overflow state
    /// beyond `capacity` instead, kept for the next such call.
    @TaskLocal static var holdsSandbox = false

    private struct Slots {
        var idle: [LuaSandbox] = []
        var created = 0
        /// Made beyond `capacity` for nested calls only; they alone use them again.
        var overflow: [LuaSandbox] = []
        var waiters: [CheckedContinuation<LuaSandbox, Never>] = []
    }

    private enum Next {
        case ready(LuaSandbox)
        case create
        case readyOverflow(LuaSandbox)
        case createOverflow
        case wait
    }

    /// Builds a sandbox; it runs on the Lua threads (`LuaSandbox.make`), not on the caller's.
    private let make: @Sendable () async throws(LuaScriptError) -> LuaSandbox
    private let capacity: Int
    private let slots = Mutex(Slots())

    init(capacity: Int, make: @escaping @Sendable () async throws(LuaScriptError) -> LuaSandbox) {
        self.capacity = max(1, capacity)
        self.make = make
    }

    func withSandbox<R: Sendable>(_ body: (LuaSandbox) async throws(LuaScriptError) -> R) async throws(LuaScriptError) -> R {
        let (sandbox, overflow) = try await acquire()
        defer { release(sandbox, overflow: overflow) }
        return try await body(sandbox)
    }

    private func acquire() async throws(LuaScriptError) -> (LuaSandbox, overflow: Bool) {
        let next: Next = slots.withLock { slots in
            if let sandbox = slots.idle.popLast() { return .ready(sandbox) }
            if slots.created < capacity {
                slots.created += 1
                return .create
            }
            guard Self.holdsSandbox else { return .wait }
            if let sandbox = slots.overflow.popLast() { return .readyOverflow(sandbox) }
            return .createOverflow
        }
        switch next {
        case .ready(let sandbox):
            return (sandbox, false)
        case .readyOverflow(let sandbox):
            return (sandbox, true)
        case .createOverflow:
            return (try await make(), true)
        case .create:
            do {
                return (try await make(), false)
            } catch {
                slots.withLock { $0.created -= 1 }
                throw error
            }
        case .wait:
            let sandbox = await withCheckedContinuation { continuation in
                slots.withLock { slots in
                    if let sandbox = slots.idle.popLast() {
                        continuation.resume(returning: sandbox)
                    } else {
                        slots.waiters.append(continuation)
                    }
                }
            }
            return (sandbox, false)
        }
    }

    private func release(_ sandbox: LuaSandbox, overflow: Bool) {
        slots.withLock { slots in
            if overflow {
                slots.overflow.append(sandbox)
            } else if slots.waiters.isEmpty {
                slots.idle.append(sandbox)
            } else {
                slots.waiters.removeFirst().resume(returning: sandbox)
            }
        }
    }
}
