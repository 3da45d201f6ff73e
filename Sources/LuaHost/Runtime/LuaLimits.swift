/// The limits every state and call runs under.
public struct LuaLimits: Sendable, Hashable {
    /// Bytes a state may allocate in all; past it allocations fail with "memory limit".
    public var memoryBytes: Int
    /// VM instructions one call may execute (including its coroutines); not reset by `pcall`.
    public var instructions: Int64
    /// How often the budget is checked, in instructions; smaller is more prompt, larger is cheaper.
    public var hookInterval: Int32
    /// States kept per script generation; callers beyond it wait for a free one.
    public var maxStates: Int

    public init(
        memoryBytes: Int = 16 << 20,
        instructions: Int64 = 10_000_000,
        hookInterval: Int32 = 1_000,
        maxStates: Int = 256
    ) {
        self.memoryBytes = memoryBytes
        self.instructions = instructions
        self.hookInterval = hookInterval
        self.maxStates = maxStates
    }
}
