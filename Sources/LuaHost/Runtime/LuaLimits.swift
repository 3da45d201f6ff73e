import Foundation

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
    /// Worst-case matcher steps one `string.find`, `match`, `gmatch` or `gsub` may take.
    /// Pattern matching runs in C, out of the instruction budget's reach, so the
    /// sandbox bounds it before it runs, from the pattern and the subject's length;
    /// a costlier call is refused with an error at the calling line. A step is one
    /// try of a pattern item, some 10–25 ns: the default allows about 0.15 s at worst.
    public var patternSteps: Int64
    /// Longest pattern (with special characters) those functions accept, in bytes.
    public var maxPatternLength: Int
    /// Threads that run Lua past its time slice, shared by every library with the same
    /// count. Calls beyond it wait (asynchronously) for a free thread.
    public var scriptThreads: Int
    /// How long a call's Lua work runs on the calling thread (Swift's cooperative pool,
    /// which the server's request handlers share) before the rest moves to the
    /// `scriptThreads`: most policy calls end in microseconds and never move; a slow
    /// script holds its own request and a Lua thread, never the server. 0 runs every
    /// call on the Lua threads.
    public var inlineSliceMicroseconds: Int

    /// The default of `scriptThreads`: one per core, at least two.
    public static var defaultScriptThreads: Int { max(2, ProcessInfo.processInfo.activeProcessorCount) }

    public init(
        memoryBytes: Int = 16 << 20,
        instructions: Int64 = 10_000_000,
        hookInterval: Int32 = 1_000,
        maxStates: Int = 256,
        patternSteps: Int64 = 20_000_000,
        maxPatternLength: Int = 512,
        scriptThreads: Int = LuaLimits.defaultScriptThreads,
        inlineSliceMicroseconds: Int = 1_000
    ) {
        self.inlineSliceMicroseconds = inlineSliceMicroseconds
        self.memoryBytes = memoryBytes
        self.instructions = instructions
        self.hookInterval = hookInterval
        self.maxStates = maxStates
        self.patternSteps = patternSteps
        self.maxPatternLength = maxPatternLength
        self.scriptThreads = scriptThreads
    }
}
