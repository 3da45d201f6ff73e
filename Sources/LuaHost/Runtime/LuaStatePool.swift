import Synchronization

/// Sandboxes of one script generation. A caller gets one to itself; callers
/// never share a state, and beyond `capacity` they wait for one to come back.
final class LuaStatePool: Sendable {
    private struct Slots {
        var idle: [LuaSandbox] = []
        var created = 0
        var waiters: [CheckedContinuation<LuaSandbox, Never>] = []
    }

    private enum Next {
        case ready(LuaSandbox)
        case create
        case wait
    }

    private let make: @Sendable () throws(LuaScriptError) -> LuaSandbox
    private let capacity: Int
    private let slots = Mutex(Slots())

    init(capacity: Int, make: @escaping @Sendable () throws(LuaScriptError) -> LuaSandbox) {
        self.capacity = max(1, capacity)
        self.make = make
    }

    func withSandbox<R: Sendable>(_ body: (LuaSandbox) async throws(LuaScriptError) -> R) async throws(LuaScriptError) -> R {
        let sandbox = try await acquire()
        defer { release(sandbox) }
        return try await body(sandbox)
    }

    private func acquire() async throws(LuaScriptError) -> LuaSandbox {
        let next: Next = slots.withLock { slots in
            if let sandbox = slots.idle.popLast() { return .ready(sandbox) }
            if slots.created < capacity {
                slots.created += 1
                return .create
            }
            return .wait
        }
        switch next {
        case .ready(let sandbox):
            return sandbox
        case .create:
            do {
                return try make()
            } catch {
                slots.withLock { $0.created -= 1 }
                throw error
            }
        case .wait:
            return await withCheckedContinuation { continuation in
                slots.withLock { slots in
                    if let sandbox = slots.idle.popLast() {
                        continuation.resume(returning: sandbox)
                    } else {
                        slots.waiters.append(continuation)
                    }
                }
            }
        }
    }

    private func release(_ sandbox: LuaSandbox) {
        slots.withLock { slots in
            if slots.waiters.isEmpty {
                slots.idle.append(sandbox)
            } else {
                slots.waiters.removeFirst().resume(returning: sandbox)
            }
        }
    }
}
